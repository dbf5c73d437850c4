"""LangChain integration for the Mistral AI API through LowCodeAPI.

* :class:`ChatMistralLCA` — chat models (tools, structured output, reasoning, multimodal input)
* :class:`MistralLCAEmbeddings` — text embeddings
* :class:`MistralLCAFIM` — fill-in-the-middle code completion (Codestral)
* :class:`MistralAgentTool` — a stored Mistral agent as a tool
* :class:`MistralOCRLoader`, :class:`MistralTranscriptionLoader` — documents from OCR and speech-to-text
"""

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
