"""Which argument names count as secrets, and how other integrations' names are mapped (mistral_lca._arguments)."""

from __future__ import annotations

import pytest

from mistral_lca import ConfigurationError, SecretArgumentError
from mistral_lca._arguments import looks_like_secret, resolve_synonyms


@pytest.mark.parametrize(
    "name",
    ["api_key", "API_KEY", "apikey", "mistral_api_key", "openai_api_key", "token", "api_token", "access_token",
     "Auth_Token", "token_id", "client_secret", "password", "db_passwd"],
)  # fmt: skip
def test_secret_names(name: str) -> None:
    assert looks_like_secret(name)


@pytest.mark.parametrize(
    "name", ["max_tokens", "min_tokens", "tokens_per_minute", "max_batch_tokens", "tokenizer", "model", "keywords"]
)
def test_names_that_are_not_secrets(name: str) -> None:
    assert not looks_like_secret(name)


def test_synonyms_become_the_accepted_name_and_secrets_are_refused() -> None:
    accepted = {"model", "base_url", "api_token", "safe_prompt"}
    data = {"model_name": "m", "endpoint": "u", "api_key": "at_x", "safe_mode": True, "other": 1}
    assert resolve_synonyms(data, accepted, owner="X") == {
        "model": "m",
        "base_url": "u",
        "api_token": "at_x",
        "safe_prompt": True,
        "other": 1,
    }
    with pytest.raises(SecretArgumentError, match=r"^X does not take mistral_api_key: .*LowCodeAPI token") as caught:
        resolve_synonyms({"mistral_api_key": "sk-VALUE"}, accepted, owner="X")
    assert "sk-VALUE" not in str(caught.value)
    with pytest.raises(SecretArgumentError, match="looks like a secret"):
        resolve_synonyms({"access_token": "VALUE"}, accepted, owner="X")
    with pytest.raises(ConfigurationError, match="both model and model_name"):
        resolve_synonyms({"model": "a", "model_name": "b"}, accepted, owner="X")


def test_a_name_the_class_takes_is_left_alone() -> None:
    # LangChain classes take model_name and api_key as pydantic aliases: nothing to rename.
    accepted = {"model", "model_name", "api_token", "api_key"}
    assert resolve_synonyms({"model_name": "m", "api_key": "k"}, accepted, owner="X") == {
        "model_name": "m",
        "api_key": "k",
    }
