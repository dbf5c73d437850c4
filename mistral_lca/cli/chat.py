"""``mistral-lca chat PROMPT``: stream the reply's tokens to stdout as they arrive.

The stream consumer here is shared with ``agents ask``: it echoes text, and aggregates the message
(text, reasoning, tool calls, usage) for ``--json``, joining pieces once at the end.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._commands import Subcommands, add_command
from ._config import non_negative_int
from ._context import Context, read_text_argument

if TYPE_CHECKING:
    from mistral_lca.types.chat import CompletionEvent

__all__ = ["DEFAULT_CHAT_MODEL", "StreamedMessage", "add_sampling_options", "consume_stream", "register"]

DEFAULT_CHAT_MODEL = "mistral-small-latest"


@dataclass
class _ToolCallParts:
    id: str | None = None
    name: str = ""
    arguments: list[str] = field(default_factory=list)


@dataclass
class StreamedMessage:
    """A streamed reply, aggregated."""

    id: str = ""
    model: str = ""
    text: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    tool_calls: dict[int, _ToolCallParts] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: Any = None

    @property
    def content(self) -> str:
        return "".join(self.text)

    def as_json(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": "".join(call.arguments)},
                }
                for _, call in sorted(self.tool_calls.items())
            ]
        data: dict[str, Any] = {"id": self.id, "model": self.model, "message": message}
        if self.thinking:
            data["thinking"] = "".join(self.thinking)
        data["finish_reason"] = self.finish_reason
        data["usage"] = self.usage.model_dump(mode="json", exclude_none=True) if self.usage is not None else None
        return data


def _pieces(content: Any) -> Iterable[tuple[str, str]]:
    """``("text"|"thinking", piece)`` for a delta's content (a string or a list of chunks)."""
    if isinstance(content, str):
        if content:
            yield "text", content
        return
    for chunk in content or ():
        kind = getattr(chunk, "type", None)
        if kind == "text" and chunk.text:
            yield "text", chunk.text
        elif kind == "thinking" and chunk.text:
            yield "thinking", chunk.text


def _add_tool_calls(message: StreamedMessage, calls: Any) -> None:
    for position, call in enumerate(calls or ()):
        index = call.index if call.index is not None else len(message.tool_calls) + position
        parts = message.tool_calls.setdefault(index, _ToolCallParts())
        parts.id = parts.id or call.id
        parts.name = parts.name or call.function.name
        arguments = call.function.arguments
        parts.arguments.append(arguments if isinstance(arguments, str) else _dump(arguments))


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def consume_stream(
    ctx: Context, events: Iterable[CompletionEvent], *, echo: bool, show_thinking: bool
) -> StreamedMessage:
    """Read a completion stream; with ``echo``, write text to stdout (and reasoning to stderr) as it comes."""
    message = StreamedMessage()
    wrote_text = False
    for event in events:
        chunk = event.data
        message.id = message.id or chunk.id
        message.model = message.model or chunk.model
        if chunk.usage is not None:
            message.usage = chunk.usage
        for choice in chunk.choices[:1]:
            for kind, piece in _pieces(choice.delta.content):
                if kind == "text":
                    message.text.append(piece)
                    if echo:
                        ctx.out.write(piece)
                        wrote_text = True
                else:
                    message.thinking.append(piece)
                    if echo and show_thinking:
                        ctx.out.stderr.write(piece)
                        ctx.out.stderr.flush()
            _add_tool_calls(message, choice.delta.tool_calls)
            if choice.finish_reason:
                message.finish_reason = choice.finish_reason
    if echo:
        if wrote_text and not message.content.endswith("\n"):
            ctx.out.write("\n")
        for _, call in sorted(message.tool_calls.items()):
            ctx.out.info(f"[tool call] {call.name}({''.join(call.arguments)})")
    return message


def _messages(ctx: Context) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if ctx.args.system:
        messages.append({"role": "system", "content": ctx.args.system})
    messages.append({"role": "user", "content": read_text_argument(ctx.args.prompt, "PROMPT")})
    return messages


def _sampling(args: argparse.Namespace) -> dict[str, Any]:
    names = ("temperature", "max_tokens", "top_p", "random_seed", "reasoning_effort")
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}


def _run(ctx: Context) -> int:
    params: dict[str, Any] = {"model": ctx.args.model, "messages": _messages(ctx), **_sampling(ctx.args)}
    with ctx.client.chat.stream(**params) as stream:
        message = consume_stream(ctx, stream, echo=not ctx.out.json_mode, show_thinking=ctx.args.show_thinking)
    if ctx.out.json_mode:
        ctx.out.json(message.as_json())
    elif ctx.args.usage and message.usage is not None:
        usage = message.usage
        ctx.out.info(
            f"[{message.model}] prompt {usage.prompt_tokens} + completion {usage.completion_tokens}"
            f" = {usage.total_tokens} tokens"
        )
    return 0


def add_sampling_options(parser: argparse.ArgumentParser, *, temperature: bool = True) -> None:
    if temperature:
        parser.add_argument("--temperature", type=float, metavar="T", help="sampling temperature (0 to 1.5)")
        parser.add_argument("--top-p", type=float, metavar="P", help="nucleus sampling")
    parser.add_argument("--max-tokens", type=non_negative_int, metavar="N", help="upper bound on the reply's tokens")
    parser.add_argument("--random-seed", type=non_negative_int, metavar="N", help="seed for reproducible sampling")
    parser.add_argument("--reasoning-effort", metavar="LEVEL", help="reasoning effort for reasoning models")
    parser.add_argument("--show-thinking", action="store_true", help="echo the model's reasoning on stderr")
    parser.add_argument("--usage", action="store_true", help="print token usage on stderr at the end")


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    cmd = add_command(
        sub,
        "chat",
        help="chat with a model; the reply streams to stdout",
        parents=parents,
        handler=_run,
        epilog=(
            "examples:\n"
            "  mistral-lca chat 'Name three French cheeses'\n"
            "  echo 'Summarise: ...' | mistral-lca chat - --model mistral-large-latest\n"
            "  mistral-lca chat --json 'hi' | jq -r .message.content"
        ),
    )
    cmd.add_argument("prompt", metavar="PROMPT", help="the user message ('-' reads it from stdin)")
    cmd.add_argument("-m", "--model", default=DEFAULT_CHAT_MODEL, help=f"model (default {DEFAULT_CHAT_MODEL})")
    cmd.add_argument("-s", "--system", metavar="TEXT", help="a system prompt")
    add_sampling_options(cmd)
