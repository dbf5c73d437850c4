"""Every client under test, pointed at the local server.

Ours talk to the LowCodeAPI form (``server.base_url`` + ``api_token``); the official integrations and the
``mistralai`` SDK talk to the plain Mistral form (``server.mistral_base_url`` + Bearer key), which the same
server process answers with the same handlers. A builder raises ``ImportError`` when its package (or our
adapter, still being written) is not importable; callers record that subject as skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._server import MISTRAL_KEY, TOKEN

if TYPE_CHECKING:
    from ._server import ServerProcess

__all__ = ["CHAT_MODEL", "EMBED_MODEL", "HELLO"]

CHAT_MODEL = "mistral-small-latest"
EMBED_MODEL = "mistral-embed"
HELLO = "Hello"
HELLO_MESSAGES: list[dict[str, Any]] = [{"role": "user", "content": HELLO}]


# ---------------------------------------------------------------------------------------------------- raw httpx


def raw_lca_url(server: ServerProcess, path: str) -> str:
    return server.base_url + path


def raw_sync(server: ServerProcess, form: str) -> Any:
    import httpx

    if form == "mistral":
        return httpx.Client(base_url=server.mistral_base_url, headers={"authorization": f"Bearer {MISTRAL_KEY}"})
    return httpx.Client(base_url=server.base_url, params={"api_token": TOKEN})


def raw_async(server: ServerProcess, form: str) -> Any:
    import httpx

    if form == "mistral":
        return httpx.AsyncClient(base_url=server.mistral_base_url, headers={"authorization": f"Bearer {MISTRAL_KEY}"})
    return httpx.AsyncClient(base_url=server.base_url, params={"api_token": TOKEN})


# ---------------------------------------------------------------------------------------------------- ours


def ours_sync(server: ServerProcess) -> Any:
    from mistral_lca import MistralLCAClient

    return MistralLCAClient(api_token=TOKEN, base_url=server.base_url)


def ours_async(server: ServerProcess) -> Any:
    from mistral_lca import AsyncMistralLCAClient

    return AsyncMistralLCAClient(api_token=TOKEN, base_url=server.base_url)


def lc_chat(server: ServerProcess, **kwargs: Any) -> Any:
    from langchain_mistral_lca import ChatMistralLCA

    kwargs.setdefault("api_key", TOKEN)
    return ChatMistralLCA(model=CHAT_MODEL, base_url=server.base_url, **kwargs)


def lc_embeddings(server: ServerProcess, **kwargs: Any) -> Any:
    from langchain_mistral_lca import MistralLCAEmbeddings

    kwargs.setdefault("api_key", TOKEN)
    return MistralLCAEmbeddings(model=EMBED_MODEL, base_url=server.base_url, **kwargs)


def li_llm(server: ServerProcess, **kwargs: Any) -> Any:
    from llamaindex_mistral_lca import MistralLCA

    kwargs.setdefault("api_token", TOKEN)
    return MistralLCA(model=CHAT_MODEL, base_url=server.base_url, **kwargs)


def li_embedding(server: ServerProcess, **kwargs: Any) -> Any:
    from llamaindex_mistral_lca import MistralLCAEmbedding

    kwargs.setdefault("api_token", TOKEN)
    return MistralLCAEmbedding(model_name=EMBED_MODEL, base_url=server.base_url, **kwargs)


# ---------------------------------------------------------------------------------------------------- official


def official_lc_chat(server: ServerProcess) -> Any:
    from langchain_mistralai import ChatMistralAI

    # Documented way: base_url (alias of ``endpoint``) + the /v1 prefix; requests go to <base>/chat/completions.
    return ChatMistralAI(model=CHAT_MODEL, api_key=MISTRAL_KEY, base_url=server.mistral_base_url + "/v1")


def official_lc_embeddings(server: ServerProcess) -> Any:
    from langchain_mistralai import MistralAIEmbeddings

    # ``endpoint`` (no base_url alias here). The constructor tries to download the Mixtral tokenizer from the
    # Hugging Face hub; the benchmark process runs with HF_HUB_OFFLINE=1 so that fails fast and the class falls
    # back to its DummyTokenizer (batches sized by characters) — what every offline user gets.
    return MistralAIEmbeddings(  # type: ignore[call-arg]  # api_key is the field's alias
        model=EMBED_MODEL, api_key=MISTRAL_KEY, endpoint=server.mistral_base_url + "/v1/"
    )


def official_li_llm(server: ServerProcess) -> Any:
    from llama_index.llms.mistralai import MistralAI  # type: ignore[import-untyped]

    # ``endpoint`` is passed to the mistralai SDK as ``server_url``.
    return MistralAI(model=CHAT_MODEL, api_key=MISTRAL_KEY, endpoint=server.mistral_base_url)


def official_li_embedding(server: ServerProcess) -> Any:
    from llama_index.embeddings.mistralai import MistralAIEmbedding  # type: ignore[import-untyped]
    from mistralai.client import Mistral

    embedding = MistralAIEmbedding(model_name=EMBED_MODEL, api_key=MISTRAL_KEY)
    # The class has no endpoint option (an ``endpoint=`` kwarg is silently ignored): it always builds
    # ``Mistral(api_key=...)`` for api.mistral.ai. We replace its private SDK client with the same SDK class
    # pointed at the local server — exactly what the class would build, with ``server_url`` added.
    embedding._client = Mistral(api_key=MISTRAL_KEY, server_url=server.mistral_base_url)
    return embedding


def mistral_sdk(server: ServerProcess) -> Any:
    from mistralai.client import Mistral

    return Mistral(api_key=MISTRAL_KEY, server_url=server.mistral_base_url)


def lc_fim(server: ServerProcess, **kwargs: Any) -> Any:
    from langchain_mistral_lca import MistralLCAFIM

    return MistralLCAFIM(model="codestral-latest", api_key=TOKEN, base_url=server.base_url, **kwargs)
