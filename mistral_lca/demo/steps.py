"""The tour's steps: name, what it shows, what it needs, and the function that runs it (imported when run)."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ._printer import Printer
from ._session import Session

__all__ = ["ALIASES", "STEPS", "Step", "UnknownStepError", "select_steps"]

StepFunction = Callable[[Session, Printer], dict[str, Any]]


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    target: str
    """``module:function`` inside this package; imported only when the step runs (keeps ``--only fim`` fast)."""
    requires: tuple[str, ...] = ()
    install_hint: str = ""

    def missing(self) -> list[str]:
        """Modules this step needs that are not installed."""
        return [name for name in self.requires if importlib.util.find_spec(name) is None]

    def function(self) -> StepFunction:
        module_name, _, attr = self.target.partition(":")
        module = importlib.import_module(f"{__package__}.{module_name}")
        function: StepFunction = getattr(module, attr)
        return function


_LANGCHAIN = ("langchain_core",)
_LANGCHAIN_HINT = "pip install 'mistral-lca[langchain]'"

STEPS: tuple[Step, ...] = (
    Step(
        "rag",
        "LangChain RAG: embed the handbook, retrieve, answer with sources",
        "_langchain_steps:rag",
        (*_LANGCHAIN, "numpy"),
        "pip install 'mistral-lca[langchain]' numpy",
    ),
    Step(
        "agent",
        "LangChain tool loop: the model calls two Python tools, then answers",
        "_langchain_steps:agent",
        _LANGCHAIN,
        _LANGCHAIN_HINT,
    ),
    Step(
        "agent-tool",
        "A Mistral agent used as a LangChain tool (MistralAgentTool)",
        "_langchain_steps:agent_tool",
        _LANGCHAIN,
        _LANGCHAIN_HINT,
    ),
    Step(
        "llamaindex",
        "LlamaIndex query engine over the same handbook",
        "_llamaindex_steps:query_engine",
        ("llama_index.core",),
        "pip install 'mistral-lca[llamaindex]'",
    ),
    Step("stream", "Streamed chat, token by token (async client)", "_core_steps:stream"),
    Step("fim", "Fill-in-the-middle code completion (Codestral)", "_core_steps:fim"),
    Step("ocr", "OCR of a bundled 2-page PDF into markdown", "_core_steps:ocr"),
    Step("moderation", "Moderation check of two messages", "_core_steps:moderation"),
)

ALIASES = {
    "chat": "stream",
    "embed": "rag",
    "embeddings": "rag",
    "langchain": "rag",
    "tools": "agent",
    "agents": "agent-tool",
    "agent_tool": "agent-tool",
    "llama": "llamaindex",
    "llama-index": "llamaindex",
    "moderate": "moderation",
    "code": "fim",
}


class UnknownStepError(ValueError):
    """``--only`` named a step that does not exist."""


def select_steps(names: Sequence[str] | None) -> list[Step]:
    """The steps to run, in tour order (all when ``names`` is empty); unknown names raise."""
    if not names:
        return list(STEPS)
    by_name = {step.name: step for step in STEPS}
    wanted: set[str] = set()
    for raw in names:
        name = raw.strip().lower()
        name = ALIASES.get(name, name)
        if name not in by_name:
            raise UnknownStepError(f"unknown demo step {raw!r}; the steps are: {', '.join(by_name)}")
        wanted.add(name)
    return [step for step in STEPS if step.name in wanted]
