"""A listing body -> storable records and rejected ones (crawler/records.py, docs/ingest.md).

One bad record never costs its page: each hostile shape the real Hub has sent is rejected
alone, with its reason and its id where the bytes still show one; every other record comes out
byte for byte (line breaks in whitespace blanked). A body that is cut is told apart from a
body that is not a listing at all. Property tests throw generated pages at it.
"""

from __future__ import annotations

import json

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.records import (MAX_NESTING, CountingSink, nesting_depth, record_id_text, sample_text, split_listing,
                             split_record)

GOOD_A = b'{"id":"org/a","downloads":1}'
GOOD_B = b'{"id":"org/b","tags":["license:mit"]}'


def split(body: bytes, want_modified: bool = False):
    sink = CountingSink()
    return split_listing(body, sink, want_modified), sink.records


def page_with(bad: bytes) -> bytes:
    return b"[" + GOOD_A + b"," + bad + b"," + GOOD_B + b"]"


HOSTILE = {
    "invalid UTF-8": b'{"id":"org/bad","cardData":{"x":"caf\xe9 \xff"}}',
    "invalid escape": b'{"id":"org/bad","cardData":{"x":"\\ud800"}}',
    "control character in a string": b'{"id":"org/bad","x":"a\x01b"}',
    f"nesting deeper than {MAX_NESTING}": b'{"id":"org/bad","x":' + b"[" * 1000 + b"]" * 1000 + b"}",
    "record is not an object": b'"org/bad"',
    "malformed JSON": b'{"id":"org/bad","x":tru}',
}


@pytest.mark.parametrize("reason", sorted(HOSTILE))
def test_one_hostile_record_is_rejected_alone_and_its_neighbours_stored(reason):
    out, records = split(page_with(HOSTILE[reason]))
    assert records == [GOOD_A, GOOD_B]
    assert (out.complete, out.listing, out.elements, out.records) == (True, True, 3, 2)
    [rejected] = out.rejected
    assert rejected.reason == reason and rejected.field is None
    assert rejected.model_id == (None if reason == "record is not an object" else "org/bad")
    assert rejected.sample.isprintable() and len(rejected.sample) <= 200


def test_nesting_just_past_the_bound_is_rejected_even_where_the_json_parser_copes():
    deep = b'{"id":"org/d","x":' + b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1) + b"}"
    at_bound = b'{"id":"org/e","x":' + b"[" * (MAX_NESTING - 1) + b"]" * (MAX_NESTING - 1) + b"}"
    out, records = split(b"[" + deep + b"," + at_bound + b"]")
    assert records == [at_bound]
    assert [r.reason for r in out.rejected] == [f"nesting deeper than {MAX_NESTING}"]
    assert nesting_depth(deep) == MAX_NESTING + 2 and nesting_depth(at_bound) == MAX_NESTING


def test_brackets_inside_strings_do_not_count_as_nesting():
    template = '{"id":"org/t","chat_template":"' + "{% for m in messages %}[[{{ m }}]]" * 400 + '"}'
    out, records = split(b"[" + template.encode() + b"]")
    assert records == [template.encode()] and out.rejected == []


def test_a_cut_body_keeps_the_records_that_arrived_whole():
    body = page_with(HOSTILE["invalid UTF-8"])[:-30]   # cut inside the last record
    out, records = split(body)
    assert (out.complete, out.listing) == (False, True)
    assert records == [GOOD_A] and [r.reason for r in out.rejected] == ["invalid UTF-8"]
    assert "body cut" in out.problem


@pytest.mark.parametrize("body", [b"<html><body>Bad gateway</body></html>", b'{"error": "oops"}', b"", b"   "])
def test_a_body_that_is_not_a_list_is_no_listing(body):
    out, records = split(body)
    assert records == [] and not out.listing and not out.complete


def test_line_breaks_between_tokens_are_blanked_so_each_record_is_one_line():
    out, records = split(b'[\n{"id":"org/a",\r\n"x":1}\n,\n{"id":"org/b"}\n]\n')
    assert records == [b'{"id":"org/a",  "x":1}', b'{"id":"org/b"}'] and out.rejected == []


def test_last_modified_values_are_read_only_when_asked_for():
    body = b'[{"id":"a","lastModified":"2025-01-01T00:00:00.000Z"},{"id":"b","lastModified":5},{"id":"c"}]'
    assert split(body, want_modified=True)[0].last_modified == ["2025-01-01T00:00:00.000Z", 5, None]
    assert split(body)[0].last_modified == []


def test_a_single_repository_goes_through_the_same_checks():
    sink = CountingSink()
    assert split_record(GOOD_A, sink).records == 1 and sink.records == [GOOD_A]
    bad = split_record(HOSTILE["invalid UTF-8"], CountingSink())
    assert bad.records == 0 and [r.reason for r in bad.rejected] == ["invalid UTF-8"]


def test_ids_are_read_from_bytes_and_samples_are_printable():
    assert record_id_text(b'{"_id":"x","id":"org/caf\\u00e9","y":"\xff"}') == "org/café"
    assert record_id_text(b'{"x":1}') is None
    assert sample_text(b'a\x00b\xffc\n\x1b[31m') == "a\\u0000b\\xffc\\n\\u001b[31m"
    assert len(sample_text(b"x" * 5000)) == 200


# ---------------------------------------------------------------------------------- properties
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False, allow_infinity=False),
                         st.text(max_size=30))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                                  st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                           max_leaves=20)
good_records = st.builds(lambda i, rest: json.dumps({"id": f"org/m{i}", **rest}, ensure_ascii=False).encode(),
                         st.integers(0, 10**6), st.dictionaries(st.text(max_size=10), json_values, max_size=5))
# What the real Hub's long tail looks like: bad bytes and values inside a record whose quotes
# and brackets still balance (the Hub's JSON encoder never unbalances them; a cut body is the
# one way to get that, and it is told apart as "cut").
def breaks_a_string(b: bytes) -> bool:
    """Bytes that make a JSON string invalid without unbalancing it: invalid UTF-8 or a raw
    control character (and no quote or backslash, which would change where it ends)."""
    if b'"' in b or b"\\" in b:
        return False
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return any(c < 0x20 for c in b)


inside_a_string = st.one_of(st.binary(min_size=1, max_size=6).filter(breaks_a_string),
                            st.sampled_from([b"\\ud800", b"\\udc00x", b"\\uZZZZ", b"\\x", b"\x01", b"\xff\xfe"]))
hostile_records = st.one_of(
    st.sampled_from(sorted(HOSTILE.values())),
    st.builds(lambda r, b: r[:-1] + b',"x":"' + b + b'"}', good_records, inside_a_string),
    st.builds(lambda d: b'{"id":"org/deep","x":' + b"[" * d + b"]" * d + b"}", st.integers(MAX_NESTING, 1200)),   # depth d + 1 > the bound
    json_scalars.map(lambda v: json.dumps(v).encode()),                           # not an object
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), good_records, hostile_records), max_size=12))
def test_generated_pages_store_every_good_record_and_reject_each_hostile_one_alone(items):
    elements = [good if keep else bad for keep, good, bad in items]
    out, records = split(b"[" + b",".join(elements) + b"]")
    assert out.complete and out.elements == len(items)
    assert records == [good for keep, good, _ in items if keep]
    assert len(out.rejected) == sum(1 for keep, _, _ in items if not keep)
    for record in records:   # what is stored is one JSON object a line, valid UTF-8
        assert b"\n" not in record and isinstance(msgspec.json.decode(record), dict)
    for r in out.rejected:
        assert r.reason and r.field is None and r.sample.isprintable()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(good_records, st.binary(max_size=40)), max_size=10), st.booleans())
def test_any_bytes_at_all_never_raise_and_every_element_is_accounted_for(elements, cut):
    body = b"[" + b",".join(elements) + b"]"
    out, records = split(body[:-1] if cut else body)
    assert out.records == len(records)
    if out.complete:
        assert out.records + len(out.rejected) == out.elements
    for record in records:
        assert b"\n" not in record and isinstance(msgspec.json.decode(record), dict)
