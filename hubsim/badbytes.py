"""Bad bytes the real Hub sends, as `--faults` kinds: each corrupts ONE record of a response.

orjson never writes invalid JSON, so a corrupted record is rendered with a marker string in
place and the marker's bytes are replaced in the rendered text.

| kind | the record |
| --- | --- |
| `badutf8` | invalid UTF-8 bytes (`\\xc3\\x28\\xff`) inside a string value: a cardData string when the record has cardData, else its tags' last string, else its `_id` |
| `surrogate` | a lone `\\ud800` escape inside cardData (cardData added when the key set has none) |
| `deepnest` | a value nested 1,000 levels deep inside cardData (added likewise) |
| `nonobject` | the element is a JSON string (the model's id) or a number |
| `farfuture` | lastModified `9999-12-31T23:59:59Z` |
| `negcount` | downloads -5 |
| `strcount` | downloads as a numeric string (`"12345"`, the true count) |
| `bcdate` | createdAt `-0001-01-01T00:00:00Z` |

The value kinds (farfuture, negcount, strcount, bcdate) replace a value the response
carries; a response whose key set lacks that field is served clean and not counted.
"""

from __future__ import annotations

import orjson

RECORD_FAULTS = ("badutf8", "surrogate", "deepnest", "nonobject", "farfuture", "negcount", "strcount", "bcdate")
PAGE_FAULTS = ("html200", "cutalways")
VALUE_FAULTS = {"farfuture": ("lastModified", "9999-12-31T23:59:59Z"), "negcount": ("downloads", -5),
                "bcdate": ("createdAt", "-0001-01-01T00:00:00Z")}
NEST_DEPTH = 1_000
BAD_UTF8 = b"\xc3\x28\xff"
_MARK = "@@hubsim-fault@@"
_QMARK = b'"' + _MARK.encode() + b'"'

HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Hugging Face - We'll be right back</title></head>"
             b"<body><h1>502</h1><p>Something went wrong on our side. Please try again in a few minutes.</p>"
             b"</body></html>\n")


def _card_with(rec: dict, key: str, value) -> dict:
    rec = dict(rec)
    card = rec.get("cardData")
    card = dict(card) if isinstance(card, dict) else {}
    card[key] = value
    rec["cardData"] = card
    return rec


def corrupt(kind: str, rec: dict, number: bool = False) -> bytes | None:
    """The JSON text of `rec` with fault `kind` in it, or None when the kind does not apply
    (a value kind on a record without that field). `number`: nonobject sends a number."""
    if kind == "nonobject":
        return b"12345" if number else orjson.dumps(rec.get("id", "model"))
    if kind in VALUE_FAULTS:
        field, value = VALUE_FAULTS[kind]
        if field not in rec:
            return None
        return orjson.dumps({**rec, field: value})
    if kind == "strcount":
        if "downloads" not in rec:
            return None
        return orjson.dumps({**rec, "downloads": str(rec["downloads"])})
    if kind == "badutf8":
        if isinstance(rec.get("cardData"), dict):
            body = orjson.dumps(_card_with(rec, "model_description", "caf" + _MARK))
        elif isinstance(rec.get("tags"), list) and rec["tags"]:
            body = orjson.dumps({**rec, "tags": rec["tags"][:-1] + [str(rec["tags"][-1]) + _MARK]})
        else:
            body = orjson.dumps({**rec, "_id": str(rec.get("_id", "")) + _MARK})
        return body.replace(_MARK.encode(), BAD_UTF8, 1)
    if kind == "surrogate":
        body = orjson.dumps(_card_with(rec, "model_description", "caf" + _MARK))
        return body.replace(_MARK.encode(), b"\\ud800", 1)
    if kind == "deepnest":
        body = orjson.dumps(_card_with(rec, "nested", _MARK))
        return body.replace(_QMARK, b"[" * NEST_DEPTH + b"]" * NEST_DEPTH, 1)
    raise ValueError(f"not a record fault: {kind}")
