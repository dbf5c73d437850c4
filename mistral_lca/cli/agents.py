"""``mistral-lca agents list|get|create|ask``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._commands import Subcommands, add_command, add_group
from ._config import non_negative_int, positive_int
from ._context import Context, read_text_argument
from ._output import Column, format_time, render_fields, render_table
from .chat import add_sampling_options, consume_stream

if TYPE_CHECKING:
    from mistral_lca.types.agents import Agent

__all__ = ["register"]

_BUILT_IN_TOOLS = ("web_search", "web_search_premium", "code_interpreter", "image_generation")


def _tool_names(agent: Agent) -> str:
    names = []
    for tool in agent.tools:
        kind = str(tool.get("type", "?"))
        function = tool.get("function")
        names.append(f"{kind}:{function.get('name')}" if kind == "function" and isinstance(function, dict) else kind)
    return ", ".join(names) or "-"


def agent_fields(agent: Agent) -> list[tuple[str, Any]]:
    args = agent.completion_args.to_body() if agent.completion_args is not None else {}
    return [
        ("id", agent.id),
        ("name", agent.name),
        ("model", agent.model),
        ("description", agent.description),
        ("instructions", agent.instructions),
        ("tools", _tool_names(agent)),
        ("completion args", ", ".join(f"{k}={v}" for k, v in args.items()) or None),
        ("version", agent.version),
        ("created", format_time(agent.created_at)),
        ("updated", format_time(agent.updated_at)),
    ]


_COLUMNS = (
    Column("ID", lambda a: a.id, max_width=44),
    Column("NAME", lambda a: a.name, max_width=32),
    Column("MODEL", lambda a: a.model),
    Column("TOOLS", _tool_names, max_width=40),
    Column("CREATED", lambda a: format_time(a.created_at)),
)


def _list(ctx: Context) -> int:
    agents = ctx.client.agents.list(page=ctx.args.page, page_size=ctx.args.page_size)
    ctx.out.result(agents, lambda: render_table(agents, _COLUMNS, empty="(no agents)"))
    return 0


def _get(ctx: Context) -> int:
    agent = ctx.client.agents.get(ctx.args.agent_id)
    ctx.out.result(agent, lambda: render_fields(agent_fields(agent)))
    return 0


def _create(ctx: Context) -> int:
    args = ctx.args
    params: dict[str, Any] = {"model": args.model, "name": args.name}
    if args.instructions:
        params["instructions"] = read_text_argument(args.instructions, "--instructions")
    if args.description:
        params["description"] = args.description
    if args.tool:
        params["tools"] = [{"type": name} for name in dict.fromkeys(args.tool)]
    completion_args = {
        key: value
        for key, value in (("temperature", args.temperature), ("max_tokens", args.max_tokens), ("top_p", args.top_p))
        if value is not None
    }
    if completion_args:
        params["completion_args"] = completion_args
    agent = ctx.client.agents.create(**params)
    ctx.out.result(agent, lambda: render_fields(agent_fields(agent)))
    return 0


def _ask(ctx: Context) -> int:
    args = ctx.args
    params: dict[str, Any] = {
        "agent_id": args.agent_id,
        "messages": [{"role": "user", "content": read_text_argument(args.prompt, "PROMPT")}],
    }
    for name in ("max_tokens", "random_seed", "reasoning_effort"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    with ctx.client.agents.stream(**params) as stream:
        message = consume_stream(ctx, stream, echo=not ctx.out.json_mode, show_thinking=args.show_thinking)
    if ctx.out.json_mode:
        ctx.out.json({"agent_id": args.agent_id, **message.as_json()})
    elif args.usage and message.usage is not None:
        ctx.out.info(f"[{message.model}] {message.usage.total_tokens} tokens")
    return 0


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    group = add_group(sub, "agents", help="create, list and talk to agents", parents=parents)

    cmd = add_command(group, "list", help="list agents", parents=parents, handler=_list)
    cmd.add_argument("--page", type=non_negative_int, metavar="N", help="page number (from 0)")
    cmd.add_argument("--page-size", type=positive_int, metavar="N", help="agents per page")

    cmd = add_command(group, "get", help="show an agent", parents=parents, handler=_get)
    cmd.add_argument("agent_id", metavar="AGENT_ID")

    cmd = add_command(
        group,
        "create",
        help="create an agent",
        parents=parents,
        handler=_create,
        epilog=(
            "example:\n"
            "  mistral-lca agents create -m mistral-medium-latest -n researcher \\\n"
            "      --instructions 'Answer with sources.' --tool web_search"
        ),
    )
    cmd.add_argument("-m", "--model", required=True, help="the agent's model")
    cmd.add_argument("-n", "--name", required=True, help="the agent's name")
    cmd.add_argument("-i", "--instructions", metavar="TEXT", help="its instructions ('-' reads them from stdin)")
    cmd.add_argument("-d", "--description", metavar="TEXT")
    cmd.add_argument("--tool", action="append", choices=_BUILT_IN_TOOLS, help="a built-in tool (repeatable)")
    cmd.add_argument("--temperature", type=float, metavar="T", help="stored sampling temperature")
    cmd.add_argument("--top-p", type=float, metavar="P", help="stored nucleus sampling")
    cmd.add_argument("--max-tokens", type=non_negative_int, metavar="N", help="stored reply length limit")

    cmd = add_command(group, "ask", help="ask an agent; the reply streams to stdout", parents=parents, handler=_ask)
    cmd.add_argument("agent_id", metavar="AGENT_ID")
    cmd.add_argument("prompt", metavar="PROMPT", help="the user message ('-' reads it from stdin)")
    add_sampling_options(cmd, temperature=False)
