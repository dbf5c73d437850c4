"""Decoding: the LowCodeAPI envelopes, plain Mistral JSON, and every known error shape (pure)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from core_support import TOKEN, envelope, error_envelope

from mistral_lca import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    UnprocessableEntityError,
)
from mistral_lca._response import decode_body, error_from_response
from mistral_lca._secrets import register_secret

JSON = {"content-type": "application/json"}


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_success_envelope_is_unwrapped_with_upstream_headers() -> None:
    decoded = decode_body(
        200,
        {**JSON, "x-proxy": "1"},
        body(envelope({"id": "x"}, {"mistral-correlation-id": "req-9", "X-Ratelimit-Remaining-Req-Minute": "59"})),
    )
    assert decoded.data == {"id": "x"}
    assert decoded.headers.request_id == "req-9"
    assert decoded.headers.rate_limits == {"x-ratelimit-remaining-req-minute": "59"}
    assert decoded.headers["X-PROXY"] == "1"  # HTTP headers fill the gaps, case-insensitively


def test_plain_mistral_json_is_accepted_unchanged() -> None:
    decoded = decode_body(200, {**JSON, "mistral-correlation-id": "r1"}, body({"id": "x", "result": 1}))
    assert decoded.data == {"id": "x", "result": 1}
    assert decoded.headers.request_id == "r1"


def test_empty_body_decodes_to_none() -> None:
    assert decode_body(204, {}, b"").data is None


def test_malformed_json_success_is_a_decode_error() -> None:
    with pytest.raises(ResponseDecodeError, match="not valid JSON"):
        decode_body(200, JSON, b'{"id": ')


def test_error_envelope_with_200_status_still_raises() -> None:
    with pytest.raises(APIStatusError):
        decode_body(200, JSON, body(error_envelope({"detail": "boom"})))


CASES: list[tuple[int, Any, type[APIStatusError], str]] = [
    (401, {"detail": "Invalid API Key"}, AuthenticationError, "Invalid API Key"),
    (401, {"detail": "Unauthorized"}, AuthenticationError, "Unauthorized"),
    (401, {"message": "Unauthorized", "request_id": "933f2339"}, AuthenticationError, "Unauthorized"),
    (
        422,
        {"detail": [{"type": "extra_forbidden", "loc": ["body", "store"], "msg": "Extra inputs are not permitted"}]},
        UnprocessableEntityError,
        "store: Extra inputs are not permitted",
    ),
    (
        422,
        {
            "object": "error",
            "message": {"detail": [{"type": "extra_forbidden", "loc": ["body", "safe_mode"], "msg": "Extra inputs"}]},
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        },
        UnprocessableEntityError,
        "safe_mode: Extra inputs",
    ),
    (
        400,
        {
            "object": "error",
            "message": "Tool call id was call_0fypS1hVX but must be a-z, A-Z, 0-9, with a length of 9.",
            "type": "invalid_function_call",
            "param": None,
            "code": "3280",
        },
        BadRequestError,
        "Tool call id was call_0fypS1hVX",
    ),
    (429, {"message": "Requests rate limit exceeded"}, RateLimitError, "Requests rate limit exceeded"),
    (
        429,
        {"object": "error", "message": "Rate limit exceeded", "type": "rate_limited", "param": None, "code": "1300"},
        RateLimitError,
        "Rate limit exceeded",
    ),
    (400, {"object": "error", "message": "x", "type": "t", "code": 3230}, BadRequestError, "x"),
    (404, {"message": "Not Found"}, NotFoundError, "Not Found"),
    (503, {"message": "Service unavailable"}, ServerError, "Service unavailable"),
]


@pytest.mark.parametrize(("status", "mistral_error", "cls", "text"), CASES)
@pytest.mark.parametrize("wrapped", [True, False], ids=["envelope", "plain"])
def test_every_error_shape_maps_to_its_typed_error(
    status: int, mistral_error: Any, cls: type[APIStatusError], text: str, wrapped: bool
) -> None:
    payload = error_envelope(mistral_error) if wrapped else mistral_error
    err = error_from_response(status, JSON, body(payload))
    assert type(err) is cls
    assert err.status_code == status
    assert text in str(err)
    assert str(status) in str(err)


def test_error_fields_are_parsed() -> None:
    err = error_from_response(
        400,
        JSON,
        body(
            error_envelope(
                {
                    "object": "error",
                    "message": "too long",
                    "type": "invalid_request_invalid_args",
                    "param": "p",
                    "code": 3051,
                },
                headers={"mistral-correlation-id": "req-1"},
            )
        ),
    )
    assert (err.error_type, err.code, err.param, err.request_id) == (
        "invalid_request_invalid_args",
        "3051",
        "p",
        "req-1",
    )
    assert err.provider_message == "Error received from the mistralai API"


def test_validation_details_name_field_locations() -> None:
    err = error_from_response(
        422,
        JSON,
        body({"detail": [{"type": "missing", "loc": ["body", "messages", 0, "content"], "msg": "Field required"}]}),
    )
    assert isinstance(err, UnprocessableEntityError)
    assert [d.field for d in err.details] == ["messages.0.content"]
    assert err.details[0].loc == ("body", "messages", 0, "content")


def test_request_id_from_body_when_no_header() -> None:
    err = error_from_response(401, JSON, body({"message": "Unauthorized", "request_id": "933f2339"}))
    assert err.request_id == "933f2339"


def test_rate_limit_retry_after_from_envelope_headers_or_http_headers() -> None:
    from_envelope = error_from_response(
        429, JSON, body(error_envelope({"message": "slow"}, headers={"retry-after": "7"}))
    )
    assert isinstance(from_envelope, RateLimitError)
    assert from_envelope.retry_after == 7.0
    from_http = error_from_response(429, {**JSON, "Retry-After": "3"}, body({"message": "slow"}))
    assert isinstance(from_http, RateLimitError)
    assert from_http.retry_after == 3.0


def test_html_502_gives_status_and_short_excerpt() -> None:
    page = (
        b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1>" + b"x" * 5000 + b"</body></html>"
    )
    err = error_from_response(502, {"content-type": "text/html"}, page)
    assert isinstance(err, ServerError)
    assert "502" in str(err) and "Bad Gateway" in str(err)
    assert len(str(err)) < 400


def test_proxy_403_names_missing_mistral_key() -> None:
    err = error_from_response(403, JSON, body({"message": "Request failed", "provider": "mistralai", "error": {}}))
    assert isinstance(err, PermissionDeniedError)
    assert "no Mistral key connected" in str(err)


def test_echoed_token_in_proxy_401_is_scrubbed_everywhere() -> None:
    register_secret(TOKEN)
    payload = error_envelope(
        {"code": 401, "logging": {"method": "GET", "query": {"api_token": TOKEN}, "headers": {"host": "x"}}},
        message=f"A valid API token is required (got {TOKEN})",
    )
    err = error_from_response(401, JSON, body(payload))
    assert isinstance(err, AuthenticationError)
    for text in (str(err), repr(err), repr(err.body), err.message, str(err.provider_message)):
        assert TOKEN not in text


def test_token_like_strings_are_scrubbed_even_if_unregistered() -> None:
    payload = error_envelope(
        {"code": 401, "logging": {"query": "api_token=at_unknown_token_999&x=1"}}, "bad at_zzzzzzzzzz"
    )
    err = error_from_response(401, JSON, body(payload))
    assert "at_unknown_token_999" not in repr(err.body)
    assert "at_zzzzzzzzzz" not in str(err)
