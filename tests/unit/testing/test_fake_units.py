"""Pure helpers of the LowCodeAPI stand-in: route matching, schema synthesis, text splitting, parsing."""

from __future__ import annotations

import pytest

from mistral_lca.testing.fake.chat import split_text
from mistral_lca.testing.fake.dispatch import build_table
from mistral_lca.testing.fake.multipart import parse_multipart
from mistral_lca.testing.fake.ocr import count_pdf_pages
from mistral_lca.testing.fake.routes import Route, RouteTable
from mistral_lca.testing.fake.schema import TextHints, synthesize


def _table() -> RouteTable[str]:
    return RouteTable(
        [
            Route("POST", "/v1/agents/completions", "complete"),
            Route("GET", "/v1/agents/{agent_id}", "get"),
            Route("GET", "/v1/libraries/{library_id}/documents/{document_id}", "doc"),
            Route("POST", "/v1/conversations/{conversation_id}/restart", "restart"),
        ]
    )


def test_route_matching_both_forms() -> None:
    table = _table()
    m = table.match("POST", "/v1/agents/completions", {})
    assert m is not None and (m.route.handler, m.params, m.form) == ("complete", {}, "path")
    m = table.match("GET", "/v1/agents/ag_1", {})
    assert m is not None and (m.params, m.form) == ({"agent_id": "ag_1"}, "path")
    m = table.match("GET", "/v1/agents/agent_id", {"agent_id": "ag_2"})
    assert m is not None and (m.params, m.form, m.query_params) == ({"agent_id": "ag_2"}, "query", ("agent_id",))
    m = table.match("GET", "/v1/agents/agent_id", {})  # literal value when the query lacks it
    assert m is not None and m.params == {"agent_id": "agent_id"}
    m = table.match("GET", "/v1/libraries/L1/documents/document_id", {"document_id": "D1"})
    assert m is not None and m.params == {"library_id": "L1", "document_id": "D1"} and m.form == "query"
    assert table.concrete_path(m) == "/v1/libraries/L1/documents/D1"
    assert table.match("GET", "/v1/conversations/c/restart", {}) is None
    assert table.path_exists("/v1/conversations/c/restart", {})
    assert not table.path_exists("/v1/unknown", {})


def test_every_brief_route_is_served() -> None:
    table = build_table()
    served = {(r.method, r.template) for r in table.routes()}
    for method, template in [
        ("GET", "/v1/models/{model_id}"),
        ("DELETE", "/v1/models/{model_id}"),
        ("GET", "/v1/batch/jobs/{job_id}"),
        ("POST", "/v1/batch/jobs/{job_id}/cancel"),
        ("POST", "/v1/fine_tuning/jobs/{job_id}/cancel"),
        ("POST", "/v1/fine_tuning/jobs/{job_id}/start"),
        ("GET", "/v1/agents/{agent_id}"),
        ("GET", "/v1/conversations/{conversation_id}/history"),
        ("GET", "/v1/libraries/{library_id}/documents/{document_id}"),
        ("GET", "/v1/files/{file_id}/content"),
        ("GET", "/v1/files/{file_id}/url"),
        ("POST", "/v1/ocr"),
        ("POST", "/v1/audio/transcriptions"),
    ]:
        assert (method, template) in served


def test_schema_synthesis() -> None:
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "country": {"type": "string"},
            "count": {"type": "integer", "minimum": 5},
            "ratio": {"type": "number"},
            "ok": {"type": "boolean"},
            "kind": {"enum": ["a", "b"]},
            "const": {"const": 3},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "maybe": {"anyOf": [{"type": "null"}, {"type": "integer"}]},
            "when": {"type": "string", "format": "date"},
            "nested": {"$ref": "#/$defs/Inner"},
            "nullable": {"type": ["null", "boolean"]},
        },
        "$defs": {"Inner": {"type": "object", "properties": {"depth": {"type": "integer"}}}},
    }
    value = synthesize(schema, TextHints("Weather in Paris and Lyon, ratio=0.5"))
    assert value == {
        "city": "Paris",
        "country": "Lyon",
        "count": 5,
        "ratio": 0.5,
        "ok": True,
        "kind": "a",
        "const": 3,
        "tags": ["Weather"],
        "maybe": 1,
        "when": "2024-01-01",
        "nested": {"depth": 1},
        "nullable": True,
    }
    recursive = {
        "$ref": "#/$defs/Node",
        "$defs": {"Node": {"type": "object", "properties": {"child": {"$ref": "#/$defs/Node"}}}},
    }
    assert isinstance(synthesize(recursive), dict)
    assert synthesize({"allOf": [{"properties": {"a": {"type": "integer"}}}, {"properties": {"b": {}}}]}) == {
        "a": 1,
        "b": "x",
    }


@pytest.mark.parametrize(("text", "n"), [("Echo: hi there", 3), ("ab", 10), ("", 4), ("x" * 10_001, 5000)])
def test_split_text_exact(text: str, n: int) -> None:
    pieces = split_text(text, n)
    assert len(pieces) == n
    assert all(pieces)
    assert "".join(pieces).startswith(text)


def test_split_text_words() -> None:
    assert split_text("Count 1, 2 ", None) == ["Count", " 1,", " 2", " "]
    assert split_text("", None) == [""]


def test_multipart_parser() -> None:
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n'
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a b.jsonl"\r\n'
        b'Content-Type: application/jsonl\r\n\r\n{"a":1}\r\n\r\n--XyZ--\r\n'
    )
    parts = parse_multipart(body, 'multipart/form-data; boundary="XyZ"')
    assert parts is not None
    assert parts["purpose"].text == "batch"
    assert (parts["file"].filename, parts["file"].content_type, parts["file"].data) == (
        "a b.jsonl",
        "application/jsonl",
        b'{"a":1}\r\n',
    )
    assert parse_multipart(b"{}", "application/json") is None


def test_pdf_page_count() -> None:
    assert count_pdf_pages(b"/Type /Pages /Type /Page /Type/Page") == 2
    assert count_pdf_pages(b"not a pdf") == 1
