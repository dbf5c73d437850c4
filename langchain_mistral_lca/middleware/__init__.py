"""Agent middleware for ``langchain.agents.create_agent`` (needs the ``langchain`` package, 1.0 or later).

* :class:`MistralModerationMiddleware` — Mistral's conversational moderation of user input, model output and
  tool results, with :class:`MistralModerationError` for ``exit_behavior="error"``.
"""

try:
    import langchain.agents.middleware.types  # noqa: F401  (the import this package cannot work without)
except ImportError as error:  # a test hides langchain to exercise this
    raise ImportError(
        "langchain_mistral_lca.middleware needs the `langchain` package (1.0 or later), which provides "
        "create_agent and its middleware: pip install 'langchain>=1.0'. The rest of langchain_mistral_lca "
        "needs only langchain-core."
    ) from error

from ._moderation_checks import MistralModerationError
from .moderation import MistralModerationMiddleware

__all__ = ["MistralModerationError", "MistralModerationMiddleware"]
