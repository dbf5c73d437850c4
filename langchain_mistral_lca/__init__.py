"""LangChain integration for the Mistral AI API through LowCodeAPI.

* :class:`ChatMistralLCA` — chat models (tools, structured output, reasoning, multimodal input)
* :class:`MistralLCAEmbeddings` — text embeddings
* :class:`MistralLCAFIM` — fill-in-the-middle code completion (Codestral)
* :class:`MistralAgentTool` — a stored Mistral agent as a tool
* :class:`MistralOCRLoader`, :class:`MistralTranscriptionLoader` — documents from OCR and speech-to-text
* :mod:`langchain_mistral_lca.middleware` — agent middleware for ``create_agent`` (``MistralModerationMiddleware``;
  needs the ``langchain`` package)

Each class is imported on first use, so ``from langchain_mistral_lca import ChatMistralLCA`` does not load the
loaders, the tools or the FIM model.
"""

from typing import TYPE_CHECKING

from mistral_lca._lazy import lazy_exports

if TYPE_CHECKING:
    from .chat_models import ChatMistralLCA
    from .document_loaders import MistralOCRLoader, MistralTranscriptionLoader
    from .embeddings import MistralLCAEmbeddings
    from .llms import MistralLCAFIM
    from .tools import MistralAgentTool

__all__ = [
    "ChatMistralLCA",
    "MistralAgentTool",
    "MistralLCAEmbeddings",
    "MistralLCAFIM",
    "MistralOCRLoader",
    "MistralTranscriptionLoader",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "ChatMistralLCA": ".chat_models",
        "MistralAgentTool": ".tools",
        "MistralLCAEmbeddings": ".embeddings",
        "MistralLCAFIM": ".llms",
        "MistralOCRLoader": ".document_loaders",
        "MistralTranscriptionLoader": ".document_loaders",
    },
    globals(),
)
