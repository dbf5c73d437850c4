"""``ChatMistralLCA.profile``: langchain-core's ``ModelProfile`` built from the shared model table.

langchain-openai and langchain-anthropic ship a generated ``_profiles.py`` and resolve it in
``_resolve_model_profile``; here the data is :mod:`mistral_lca.models_info` (which LlamaIndex's ``metadata`` reads
too), and this module only says it in LangChain's words. What LangChain does with it: ``create_agent(...,
response_format=Schema)`` picks native structured output (``ProviderStrategy``) when ``structured_output`` is set,
and ``SummarizationMiddleware(trigger=("fraction", 0.8))`` needs ``max_input_tokens``.

For an id the table does not know, the profile keeps the permissive chat defaults (window, tool calling,
structured output) and leaves out the modalities, which are a guess either way.
"""

from __future__ import annotations

from langchain_core.language_models import ModelProfile

from mistral_lca.models_info import model_info

__all__ = ["model_profile"]


def model_profile(model: str) -> ModelProfile:
    """The profile of ``model`` (never raises; see :func:`mistral_lca.models_info.model_info`)."""
    info = model_info(model)
    profile = ModelProfile(
        max_input_tokens=info.context_window,
        text_inputs=True,
        text_outputs=info.is_chat,
        tool_calling=info.function_calling,
        tool_choice=info.function_calling,
        structured_output=info.structured_output,
        temperature=info.is_chat,
    )
    if info.function_calling:
        profile["tool_call_streaming"] = True  # Mistral streams each call whole; the chunks merge into one call
    if info.known:
        profile["image_inputs"] = profile["image_url_inputs"] = info.vision
        profile["pdf_inputs"] = info.vision  # document_url chunks: assumed to follow vision (not documented per model)
        profile["audio_inputs"] = info.audio
        profile["reasoning_output"] = info.reasoning
        profile["video_inputs"] = profile["image_outputs"] = profile["audio_outputs"] = profile["video_outputs"] = False
    return profile
