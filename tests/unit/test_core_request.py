"""Request building: URL forms, query encoding, token placement, headers and bodies (pure, no I/O)."""

from __future__ import annotations

import json

import httpx
import pytest
from core_support import TOKEN

from mistral_lca import InvalidRequestError
from mistral_lca._config import resolve_config
from mistral_lca._request import RequestSpec, build_request, build_url, redacted_url


def config(**kwargs: object) -> object:
    return resolve_config(api_token=TOKEN, **kwargs)  # type: ignore[arg-type]


def test_query_form_places_path_params_in_query_and_keeps_placeholder_segment() -> None:
    spec = RequestSpec("GET", "/v1/files/{file_id}", path_params={"file_id": "f-1"})
    url, params = build_url(config(), spec)  # type: ignore[arg-type]
    assert url == "https://api.lowcodeapi.com/mistralai/v1/files/file_id"
    assert params == [("file_id", "f-1")]


def test_path_form_substitutes_and_quotes_values() -> None:
    spec = RequestSpec("GET", "/v1/files/{file_id}/content", path_params={"file_id": "a b/c"})
    url, params = build_url(config(path_params="path"), spec)  # type: ignore[arg-type]
    assert url == "https://api.lowcodeapi.com/mistralai/v1/files/a%20b%2Fc/content"
    assert params == []


def test_nested_path_params_both_forms() -> None:
    spec = RequestSpec(
        "GET",
        "/v1/libraries/{library_id}/documents/{document_id}/status",
        path_params={"library_id": "L", "document_id": "D"},
    )
    url, params = build_url(config(), spec)  # type: ignore[arg-type]
    assert url.endswith("/v1/libraries/library_id/documents/document_id/status")
    assert params == [("library_id", "L"), ("document_id", "D")]
    url, params = build_url(config(path_params="path"), spec)  # type: ignore[arg-type]
    assert url.endswith("/v1/libraries/L/documents/D/status")


@pytest.mark.parametrize("value", ["", "   ", None])
def test_missing_path_param_is_rejected_before_sending(value: str | None) -> None:
    spec = RequestSpec("GET", "/v1/models/{model_id}", path_params={"model_id": value} if value is not None else {})
    with pytest.raises(InvalidRequestError, match="model_id"):
        build_url(config(), spec)  # type: ignore[arg-type]


def test_query_values_are_encoded_and_none_dropped_and_token_last() -> None:
    spec = RequestSpec("GET", "/v1/files", query={"page": 2, "purpose": None, "dry_run": True, "status": ["A", "B"]})
    request = build_request(config(), spec)  # type: ignore[arg-type]
    assert list(request.url.params.multi_items()) == [
        ("page", "2"),
        ("dry_run", "true"),
        ("status", "A"),
        ("status", "B"),
        ("api_token", TOKEN),
    ]


def test_json_body_headers_and_timeout() -> None:
    timeout = httpx.Timeout(3.0)
    spec = RequestSpec("POST", "/v1/chat/completions", json={"model": "m", "é": "ü"}, stream=True, timeout=timeout)
    request = build_request(config(default_headers={"X-Trace": "1"}), spec)  # type: ignore[arg-type]
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "text/event-stream"
    assert request.headers["x-trace"] == "1"
    assert request.headers["user-agent"].startswith("mistral-lca/")
    assert "authorization" not in request.headers
    assert json.loads(request.content) == {"model": "m", "é": "ü"}
    assert request.extensions["timeout"] == timeout.as_dict()


def test_base_url_from_env_and_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOWCODEAPI_BASE_URL", "http://127.0.0.1:9/mistralai/")
    request = build_request(config(), RequestSpec("GET", "/v1/models"))  # type: ignore[arg-type]
    assert str(request.url).startswith("http://127.0.0.1:9/mistralai/v1/models?api_token=")


def test_redacted_url_hides_token() -> None:
    request = build_request(config(), RequestSpec("GET", "/v1/models"))  # type: ignore[arg-type]
    assert TOKEN in str(request.url)
    assert TOKEN not in redacted_url(request)
    assert redacted_url(request).endswith("api_token=***")


def test_files_factory_is_called_per_build() -> None:
    calls = []

    def files() -> dict[str, object]:
        calls.append(1)
        return {"file": ("a.txt", b"hello", "text/plain")}

    spec = RequestSpec("POST", "/v1/files", data={"purpose": "ocr"}, files=files, creates=True)
    for _ in range(2):
        request = build_request(config(), spec)  # type: ignore[arg-type]
        body = request.read()
        assert b'name="purpose"' in body and b"hello" in body
    assert len(calls) == 2
