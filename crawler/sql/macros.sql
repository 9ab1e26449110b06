-- Helpers for the JSON -> row mapping (temporary macros, created once per connection).

-- A JSON value that may be a string or a list of strings -> VARCHAR[] of its non-empty strings
-- (NULL when the value is absent or of another type).
CREATE OR REPLACE TEMP MACRO hc_str_list(v) AS
    CASE json_type(v)
        WHEN 'VARCHAR' THEN list_filter([v ->> '$'], lambda x: strlen(x) > 0)
        WHEN 'ARRAY' THEN list_filter(
            list_transform(list_filter(json_extract(v, '$[*]'), lambda x: json_type(x) = 'VARCHAR'), lambda x: x ->> '$'),
            lambda x: strlen(x) > 0)
        ELSE NULL
    END;

-- A JSON string value, or NULL for any other type.
CREATE OR REPLACE TEMP MACRO hc_str(v) AS
    CASE WHEN json_type(v) = 'VARCHAR' THEN v ->> '$' END;

-- ISO-8601 text as the Hub serves it ("2023-12-13T21:19:59.000Z") -> UTC TIMESTAMP.
CREATE OR REPLACE TEMP MACRO hc_utc(s) AS
    CAST(timezone('UTC', TRY_CAST(s AS TIMESTAMPTZ)) AS TIMESTAMP);

-- A weight file format from a lower-case repo file name, NULL for everything else. (The
-- caller lower-cases the whole file list once: a lower() per check cost twice as much.)
CREATE OR REPLACE TEMP MACRO hc_weight_format(name) AS
    CASE
        WHEN suffix(name, '.safetensors') THEN 'safetensors'
        WHEN suffix(name, '.gguf') THEN 'gguf'
        WHEN suffix(name, '.ggml') THEN 'ggml'
        WHEN suffix(name, '.onnx') THEN 'onnx'
        WHEN suffix(name, '.bin') THEN 'bin'
        WHEN suffix(name, '.pt') OR suffix(name, '.pth') THEN 'pt'
        WHEN suffix(name, '.ckpt') THEN 'ckpt'
        WHEN suffix(name, '.h5') THEN 'h5'
        WHEN suffix(name, '.msgpack') THEN 'msgpack'
        WHEN suffix(name, '.tflite') THEN 'tflite'
        WHEN suffix(name, '.mlmodel') OR contains(name, '.mlpackage/') THEN 'coreml'
        WHEN suffix(name, '.npz') THEN 'npz'
        WHEN suffix(name, '.nemo') THEN 'nemo'
    END;
