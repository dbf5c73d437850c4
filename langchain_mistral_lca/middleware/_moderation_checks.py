"""What :class:`~langchain_mistral_lca.middleware.MistralModerationMiddleware` judges, and what a verdict does.

Pure functions over LangChain messages, shared by the middleware's sync and async hooks (which differ only in
how the one moderation request is sent):

* :func:`input_checks` / :func:`output_checks` pick the messages to judge — the new user messages and tool
  results of this turn (those after the last ``AIMessage``), or the model's latest answer — and pair each with
  the conversation Mistral judges it in (``/v1/chat/moderations`` classifies the *last* message of a
  conversation given the messages before it).
* :func:`moderation_inputs` turns the checks into the request's ``input`` (one conversation, or several in one
  request).
* :class:`ModerationPolicy` reads the results: a message is flagged when any *selected* category is true
  (Mistral's results carry no ``flagged`` field), and ``exit_behavior`` decides what happens to it.

Only text is judged (the moderation model reads text): images, audio and documents are left out of the
conversations, and a message without text is not sent at all.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, ToolMessage

from mistral_lca import InvalidRequestError, MistralLCAError, ResponseDecodeError
from mistral_lca.tool_ids import ToolCallIdPairing
from mistral_lca.types.classifiers import ModerationObject

from .._messages import convert_message

__all__ = [
    "DEFAULT_VIOLATION_MESSAGE",
    "ExitBehavior",
    "MistralModerationError",
    "ModerationCheck",
    "ModerationPolicy",
    "ViolationStage",
    "checked_template",
    "final_tool_checks",
    "input_checks",
    "moderation_inputs",
    "output_checks",
    "selected_categories",
]

ViolationStage = Literal["input", "output", "tool"]
"""Where a flagged message was found: the user's input, the model's output, or a tool result."""

ExitBehavior = Literal["error", "end", "replace"]
"""``error`` raises :class:`MistralModerationError`; ``end`` stops the agent with the violation message;
``replace`` swaps the flagged message's content for the violation message and lets the agent continue."""

EXIT_BEHAVIORS: Final[tuple[str, ...]] = get_args(ExitBehavior)
TEMPLATE_FIELDS: Final[tuple[str, ...]] = ("categories", "category_scores", "original_content")
DEFAULT_VIOLATION_MESSAGE: Final = "I can't help with that: it was flagged by moderation for {categories}."
_NO_CATEGORY_LABEL = "Mistral's moderation policy"


class MistralModerationError(MistralLCAError, RuntimeError):
    """Mistral's moderation flagged a message and ``exit_behavior="error"``.

    Attributes: ``stage`` (``"input"``, ``"output"`` or ``"tool"``), ``result`` (the
    :class:`~mistral_lca.types.classifiers.ModerationObject`: every category and score), ``content`` (the
    flagged text) and ``categories`` (the selected categories that flagged it). The message is the formatted
    ``violation_message``.
    """

    def __init__(
        self,
        stage: ViolationStage,
        result: ModerationObject,
        content: str = "",
        categories: Sequence[str] | None = None,
        message: str | None = None,
    ) -> None:
        self.stage: ViolationStage = stage
        self.result = result
        self.content = content
        self.categories = list(result.flagged_categories if categories is None else categories)
        super().__init__(message or f"Mistral moderation flagged the {stage} for {', '.join(self.categories)}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.stage, self.result, self.content, self.categories, self.message))


# ------------------------------------------------------------------------------------------ settings


def checked_template(template: str | None) -> str:
    """``violation_message`` (``None``: the default), rejected now if formatting it could ever fail."""
    if template is None:
        return DEFAULT_VIOLATION_MESSAGE
    if not isinstance(template, str):
        raise TypeError(f"violation_message must be a string, got {type(template).__name__}")
    fields = ", ".join("{" + name + "}" for name in TEMPLATE_FIELDS)
    try:
        template.format(**dict.fromkeys(TEMPLATE_FIELDS, ""))
    except KeyError as error:
        raise ValueError(
            f"violation_message has an unknown field {{{error.args[0]}}}: the fields are {fields} "
            "(write a literal brace as {{ or }})"
        ) from None
    except (IndexError, ValueError) as error:
        raise ValueError(
            f"violation_message is not a valid template ({error}): the fields are {fields} "
            "(write a literal brace as {{ or }})"
        ) from None
    return template


def selected_categories(categories: Iterable[str] | None) -> frozenset[str] | None:
    """The ``categories=`` that count (``None``: all). Names are not checked against a list: Mistral adds new
    ones with new moderation models, and a selected name the results never carry is reported by a warning."""
    if categories is None:
        return None
    if isinstance(categories, str):
        raise TypeError(
            f"categories must be a list of category names such as [{categories!r}], not a string "
            "(pass None to count every category)"
        )
    names = frozenset(categories)
    if not names:
        raise ValueError("categories is empty, so nothing could ever be flagged (pass None to count every category)")
    wrong = sorted(repr(name) for name in names if not isinstance(name, str) or not name)
    if wrong:
        raise TypeError(f"categories must be non-empty strings, got {', '.join(wrong)}")
    return names


# -------------------------------------------------------------------------------------------- checks


@dataclass(frozen=True, slots=True)
class ModerationCheck:
    """One message to judge, and the conversation (Mistral messages, ending with it) it is judged in."""

    stage: ViolationStage
    index: int
    """Position of the judged message in the agent state's ``messages``."""
    text: str
    conversation: list[dict[str, Any]]


def _text(message: BaseMessage) -> str:
    return str(message.text)


def _last_ai_index(messages: Sequence[BaseMessage]) -> int | None:
    return next((i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], AIMessage)), None)


def _mistral_history(messages: Sequence[BaseMessage]) -> list[dict[str, Any] | None]:
    """Each message as a text-only Mistral chat message (``None`` for one Mistral chat has no role for).

    The adapter's converter supplies roles and tool-call ids (mapped to Mistral's nine-character form, calls and
    results paired across the history); the content is the message's text, including the text of an assistant
    turn that also calls tools (which the chat converter leaves out, but which is what output moderation judges).
    """
    pairing = ToolCallIdPairing()
    history: list[dict[str, Any] | None] = []
    for index, message in enumerate(messages):
        text = _text(message)
        try:
            converted = convert_message(message.model_copy(update={"content": text}), index=index, pairing=pairing)
        except InvalidRequestError:
            history.append(None)
            continue
        converted["content"] = text
        history.append(converted)
    return history


def _conversation_order(messages: Sequence[BaseMessage], index: int) -> list[int]:
    """The messages up to ``index``, in order. A tool result is moved after the results of the same turn that
    follow it, so the conversation still answers every call of the assistant turn and ends with the judged one."""
    if not isinstance(messages[index], ToolMessage):
        return list(range(index + 1))
    end = index + 1
    while end < len(messages) and isinstance(messages[end], ToolMessage):
        end += 1
    return [*range(index), *range(index + 1, end), index]


def _checks(messages: Sequence[BaseMessage], targets: list[tuple[ViolationStage, int, str]]) -> list[ModerationCheck]:
    if not targets:
        return []
    history = _mistral_history(messages)
    checks = []
    for stage, index, text in targets:
        conversation = [history[i] for i in _conversation_order(messages, index)]
        checks.append(ModerationCheck(stage, index, text, [m for m in conversation if m is not None]))
    return checks


def input_checks(
    messages: Sequence[AnyMessage], *, check_input: bool, check_tool_results: bool
) -> list[ModerationCheck]:
    """The user messages (``check_input``) and tool results (``check_tool_results``) of the current turn.

    The current turn is what came after the last ``AIMessage``: a user message judged once is not sent again on
    every step of the tool loop that follows it.
    """
    last_ai = _last_ai_index(messages)
    targets: list[tuple[ViolationStage, int, str]] = []
    for index in range(0 if last_ai is None else last_ai + 1, len(messages)):
        message = messages[index]
        stage: ViolationStage | None = None
        if check_input and isinstance(message, HumanMessage):
            stage = "input"
        elif check_tool_results and isinstance(message, ToolMessage):
            stage = "tool"
        text = _text(message) if stage is not None else ""
        if stage is not None and text:
            targets.append((stage, index, text))
    return _checks(messages, targets)


def final_tool_checks(messages: Sequence[AnyMessage]) -> list[ModerationCheck]:
    """The tool results an agent ended on, which no model call came after (a ``return_direct`` tool)."""
    if not messages or not isinstance(messages[-1], ToolMessage):
        return []
    return input_checks(messages, check_input=False, check_tool_results=True)


def output_checks(messages: Sequence[AnyMessage]) -> list[ModerationCheck]:
    """The model's latest answer, when it has text (tool calls alone are not judged)."""
    index = _last_ai_index(messages)
    text = _text(messages[index]) if index is not None else ""
    return _checks(messages, [("output", index, text)]) if index is not None and text else []


def moderation_inputs(checks: Sequence[ModerationCheck]) -> list[dict[str, Any]] | list[list[dict[str, Any]]]:
    """The request's ``input``: the conversation of a single check, or one conversation per check."""
    if len(checks) == 1:
        return checks[0].conversation
    return [check.conversation for check in checks]


# ------------------------------------------------------------------------------------------ verdicts


@dataclass(frozen=True, slots=True)
class ModerationPolicy:
    """What counts as flagged, and what a flagged message turns into."""

    exit_behavior: ExitBehavior
    violation_message: str
    categories: frozenset[str] | None

    def flagged(self, result: ModerationObject) -> list[str]:
        """The selected categories that are true in ``result`` (empty: not flagged)."""
        return [name for name, hit in result.categories.items() if hit and self._counts(name)]

    def _counts(self, name: str) -> bool:
        return self.categories is None or name in self.categories

    def _warn_missing(self, result: ModerationObject) -> None:
        if self.categories is None:
            return
        missing = sorted(self.categories - result.categories.keys())
        if missing:
            warnings.warn(
                f"Mistral moderation results have no category {', '.join(map(repr, missing))}, so it can never "
                f"flag a message; the results have: {', '.join(result.categories) or 'none'}",
                UserWarning,
                stacklevel=2,
            )

    def describe(self, check: ModerationCheck, result: ModerationObject, flagged: Sequence[str]) -> str:
        """The violation message for a flagged check."""
        label = ", ".join(name.replace("_", " ") for name in flagged) or _NO_CATEGORY_LABEL
        scores = {name: score for name, score in result.category_scores.items() if self._counts(name)}
        return self.violation_message.format(
            categories=label,
            category_scores=json.dumps(scores, sort_keys=True),
            original_content=check.text,
        )

    def apply(
        self,
        messages: Sequence[AnyMessage],
        checks: Sequence[ModerationCheck],
        results: Sequence[ModerationObject],
        *,
        ending: bool = False,
    ) -> dict[str, Any] | None:
        """The agent-state update for these verdicts (``None``: nothing flagged), or raise for ``"error"``.

        ``end`` stops at the first flagged message (in message order) with the violation message as the agent's
        final answer; for a flagged model answer, that message takes the answer's place (same id), so the
        flagged text is not kept and a checkpointed conversation can go on. ``replace`` swaps the content of
        every flagged message for its violation message (same id: the state reducer replaces it in place).
        ``ending``: the agent is already ending (``after_agent``), so ``end`` adds its message without a jump.
        """
        if len(results) != len(checks):
            raise ResponseDecodeError(
                f"Mistral moderation returned {len(results)} results for {len(checks)} conversations"
            )
        replaced: list[AnyMessage] = []
        for check, result in zip(checks, results, strict=True):
            self._warn_missing(result)
            flagged = self.flagged(result)
            if not flagged:
                continue
            text = self.describe(check, result, flagged)
            if self.exit_behavior == "error":
                raise MistralModerationError(check.stage, result, check.text, flagged, text)
            original = messages[check.index]
            if self.exit_behavior == "end":
                answer_id = original.id if check.stage == "output" else None
                verdict: dict[str, Any] = {"messages": [AIMessage(content=text, id=answer_id)]}
                return verdict if ending else {"jump_to": "end", **verdict}
            replaced.append(original.model_copy(update={"content": text}))
        return {"messages": replaced} if replaced else None
