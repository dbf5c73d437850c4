"""``mistral-lca moderate TEXT``: moderation scores per category."""

from __future__ import annotations

import argparse

from ._commands import Subcommands, add_command
from ._context import Context, read_text_argument
from ._output import Column, render_table

__all__ = ["register"]

DEFAULT_MODERATION_MODEL = "mistral-moderation-latest"

_COLUMNS = (
    Column("CATEGORY", lambda row: row[0]),
    Column("FLAGGED", lambda row: row[1]),
    Column("SCORE", lambda row: f"{row[2]:.4f}" if row[2] is not None else None, right=True),
)


def _run(ctx: Context) -> int:
    text = read_text_argument(ctx.args.text, "TEXT")
    response = ctx.client.classifiers.moderate(model=ctx.args.model, inputs=[text])
    if ctx.out.json_mode:
        ctx.out.json(response)
        return 0
    for result in response.results:
        flagged = result.flagged_categories
        verdict = f"flagged: {', '.join(flagged)}" if flagged else "not flagged"
        names = sorted(
            set(result.categories) | set(result.category_scores),
            key=lambda name: -(result.category_scores.get(name) or 0.0),
        )
        rows = [(name, result.categories.get(name, False), result.category_scores.get(name)) for name in names]
        ctx.out.text(verdict + "\n\n" + render_table(rows, _COLUMNS, empty="(no categories)"))
    return 0


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    cmd = add_command(
        sub,
        "moderate",
        help="moderate a text: a flag and a score per category",
        parents=parents,
        handler=_run,
        epilog="examples:\n  mistral-lca moderate 'some text'\n  mistral-lca moderate - --json < message.txt",
    )
    cmd.add_argument("text", metavar="TEXT", help="the text to check ('-' reads it from stdin)")
    cmd.add_argument(
        "-m", "--model", default=DEFAULT_MODERATION_MODEL, help=f"model (default {DEFAULT_MODERATION_MODEL})"
    )
