"""LlamaIndex integration for the Mistral AI API through LowCodeAPI.

* :class:`MistralLCA`: chat/completion LLM with tool calling, structured output and fill-in-the-middle.
* :class:`MistralLCAEmbedding`: embeddings.
* :class:`MistralAgentTool` / :class:`MistralAgentToolSpec`: Mistral agents as tools.
* :class:`MistralOCRReader` / :class:`MistralTranscriptionReader`: OCR and audio readers.
* :func:`mistral_tokenizer`: Mistral's tokenizer for ``Settings.tokenizer`` and splitters.

Each class is imported on first use.
"""

from typing import TYPE_CHECKING

from mistral_lca._lazy import lazy_exports

if TYPE_CHECKING:
    from .embedding import MistralLCAEmbedding
    from .llm import MistralLCA
    from .readers import MistralOCRReader, MistralTranscriptionReader
    from .tokenizer import mistral_tokenizer
    from .tools import MistralAgentTool, MistralAgentToolSpec

__all__ = [
    "MistralAgentTool",
    "MistralAgentToolSpec",
    "MistralLCA",
    "MistralLCAEmbedding",
    "MistralOCRReader",
    "MistralTranscriptionReader",
    "mistral_tokenizer",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "MistralAgentTool": ".tools",
        "MistralAgentToolSpec": ".tools",
        "MistralLCA": ".llm",
        "MistralLCAEmbedding": ".embedding",
        "MistralOCRReader": ".readers",
        "MistralTranscriptionReader": ".readers",
        "mistral_tokenizer": ".tokenizer",
    },
    globals(),
)
