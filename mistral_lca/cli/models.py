"""``mistral-lca models list|get``."""

from __future__ import annotations

import argparse
from typing import Any

from ._commands import Subcommands, add_command, add_group
from ._context import Context
from ._output import Column, format_time, render_fields, render_table

__all__ = ["register"]


def _capabilities(card: Any) -> str:
    caps = card.capabilities
    names = ("completion_chat", "completion_fim", "function_calling", "vision", "classification", "fine_tuning")
    labels = {"completion_chat": "chat", "completion_fim": "fim", "function_calling": "tools"}
    return ",".join(labels.get(n, n) for n in names if getattr(caps, n, False)) or "-"


_COLUMNS = (
    Column("ID", lambda m: m.id, max_width=48),
    Column("TYPE", lambda m: m.type),
    Column("CONTEXT", lambda m: m.max_context_length, right=True),
    Column("CAPABILITIES", _capabilities),
    Column("OWNED BY", lambda m: m.owned_by),
)


def _list(ctx: Context) -> int:
    models = ctx.client.models.list().data
    if ctx.args.capability:
        models = [m for m in models if getattr(m.capabilities, ctx.args.capability, False)]
    ctx.out.result(models, lambda: render_table(models, _COLUMNS, empty="(no models)"))
    return 0


def _get(ctx: Context) -> int:
    card = ctx.client.models.retrieve(ctx.args.model_id)
    ctx.out.result(
        card,
        lambda: render_fields(
            [
                ("id", card.id),
                ("name", card.name),
                ("type", card.type),
                ("description", card.description),
                ("context", card.max_context_length),
                ("capabilities", _capabilities(card)),
                ("aliases", card.aliases),
                ("created", format_time(card.created)),
                ("deprecation", card.deprecation),
            ]
        ),
    )
    return 0


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    group = add_group(sub, "models", help="list the models available to your token", parents=parents)
    cmd = add_command(group, "list", help="list models (a table, or --json)", parents=parents, handler=_list)
    cmd.add_argument(
        "--capability",
        choices=("completion_chat", "completion_fim", "function_calling", "vision", "classification", "fine_tuning"),
        help="only models with this capability",
    )
    cmd = add_command(group, "get", help="show one model card", parents=parents, handler=_get)
    cmd.add_argument("model_id", metavar="MODEL", help="model id, e.g. mistral-small-latest")
