"""Client configuration: token resolution, validation, repr, context managers."""

from __future__ import annotations

import pickle
import warnings

import httpx
import pytest
from core_support import TOKEN
from pydantic import SecretStr

from mistral_lca import (
    AsyncMistralLCAClient,
    ConfigurationError,
    MissingTokenError,
    MistralLCAClient,
    TokenFormatWarning,
)


def test_missing_token_names_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "sk-mistral-real-key")  # a different secret: never read
    with pytest.raises(MissingTokenError, match="LOWCODEAPI_API_TOKEN"):
        MistralLCAClient()


def test_token_from_env_and_secretstr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", TOKEN)
    assert MistralLCAClient().config.api_token.get_secret_value() == TOKEN
    client = AsyncMistralLCAClient(api_token=SecretStr("at_other_token_1234"))
    assert client.config.api_token.get_secret_value() == "at_other_token_1234"


def test_token_without_at_prefix_warns() -> None:
    with pytest.warns(TokenFormatWarning, match="at_"):
        MistralLCAClient(api_token="sk-not-a-lowcode-token")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MistralLCAClient(api_token=TOKEN)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"path_params": "header"}, "path_params"),
        ({"max_retries": -1}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"base_url": "ftp://example.com"}, "base_url"),
        ({"base_url": "https://api.lowcodeapi.com/mistralai?api_token=x"}, "query string"),
    ],
)
def test_bad_settings_raise_configuration_error(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        MistralLCAClient(api_token=TOKEN, **kwargs)  # type: ignore[arg-type]


def test_repr_and_errors_hide_token() -> None:
    client = MistralLCAClient(api_token=TOKEN, timeout=httpx.Timeout(5.0), max_retries=4)
    text = repr(client) + str(client) + repr(client.config)
    assert TOKEN not in text
    assert "max_retries=4" in repr(client)
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(client)


def test_context_managers_close_owned_but_not_caller_clients() -> None:
    own = MistralLCAClient(api_token=TOKEN)
    http = own._sender.http
    with own:
        pass
    assert http.is_closed
    mine = httpx.Client()
    with MistralLCAClient(api_token=TOKEN, http_client=mine):
        pass
    assert not mine.is_closed
    mine.close()


async def test_async_context_manager_closes_owned_client() -> None:
    client = AsyncMistralLCAClient(api_token=TOKEN)
    http = client._sender.http
    async with client:
        pass
    assert http.is_closed
    mine = httpx.AsyncClient()
    async with AsyncMistralLCAClient(api_token=TOKEN, http_client=mine):
        pass
    assert not mine.is_closed
    await mine.aclose()
