"""The pure parts of the base-URL and token diagnostics (mistral_lca._diagnostics)."""

from __future__ import annotations

import httpx
import pytest

from mistral_lca import AuthenticationError, BadRequestError, NotFoundError
from mistral_lca._diagnostics import base_url_problem, check_base_url, explain_status_error, token_problem


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://api.lowcodeapi.com/mistralai", None),
        ("http://127.0.0.1:9/mistralai", None),
        ("https://gw.example/llm/mistral", None),  # a custom host routes as it likes
        ("https://gw.example/v1/proxy/mistralai", None),  # a /v1 before the provider prefix is the gateway's own
        ("https://api.lowcodeapi.com", "serves Mistral under /mistralai"),
        ("https://API.LOWCODEAPI.COM/MistralAI/V1", "ends in /v1"),
        ("https://gw.example/mistralai/v1/chat/completions", "stop before /v1"),
        ("https://codestral.mistral.ai/v1", "Mistral's own API"),
        ("http://[::1", None),  # not a URL at all: resolve_config reports that, not this
    ],
)
def test_base_url_problem(url: str, problem: str | None) -> None:
    found = base_url_problem(url)
    assert found is None if problem is None else (found is not None and problem in found)


def test_token_problem_never_quotes_the_token() -> None:
    assert token_problem("at_abc") is None
    problem = token_problem("sk-SECRET")
    assert problem is not None and "at_" in problem and "SECRET" not in problem


def _request(url: str) -> httpx.Request:
    return httpx.Request("GET", url)


def test_only_401_and_404_are_explained() -> None:
    request = _request("https://gw.example/v1/models?api_token=sk-SECRET")
    bad = BadRequestError("400 Bad Request", status_code=400)
    assert explain_status_error(bad, request).message == "400 Bad Request"
    explained = explain_status_error(AuthenticationError("401 Unauthorized", status_code=401), request)
    assert (
        "does not start with 'at_'" in explained.message and "Check base_url https://gw.example:" in explained.message
    )
    assert "SECRET" not in explained.message and explained.args == (explained.message,)


def test_a_url_without_an_api_path_gets_no_url_hint() -> None:
    error = NotFoundError("404 Not Found", status_code=404)
    assert explain_status_error(error, _request("https://files.example/signed/abc?x=1")).message == "404 Not Found"


def test_what_is_not_a_url_is_left_to_resolve_config() -> None:
    from langchain_mistral_lca import ChatMistralLCA
    from mistral_lca import ConfigurationError, MistralLCAClient

    check_base_url("http://[::1")  # no exception here
    with pytest.raises(ConfigurationError, match="base_url must be an http"):
        MistralLCAClient(api_token="at_x", base_url="ftp://example.com/mistralai")
    ChatMistralLCA(api_token="at_x", base_url="http://[::1")  # LangChain reports it on first use, as before
