"""Helpers for declaring command groups: every parser gets ``--help`` and the global options."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeAlias

from ._context import Context

__all__ = ["Handler", "Subcommands", "add_command", "add_group"]

Handler = Callable[[Context], int]
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``ArgumentParser.add_subparsers`` returns (a private argparse class, hence the alias)."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32)


def add_command(
    sub: Subcommands,
    name: str,
    *,
    help: str,
    parents: list[argparse.ArgumentParser],
    handler: Handler,
    description: str | None = None,
    epilog: str | None = None,
    aliases: tuple[str, ...] = (),
) -> argparse.ArgumentParser:
    """A leaf command: ``handler(ctx)`` runs it and returns the exit status."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=description or help[:1].upper() + help[1:] + ".",
        epilog=epilog,
        parents=parents,
        formatter_class=_Formatter,
        aliases=list(aliases),
    )
    parser.set_defaults(handler=handler)
    return parser


def add_group(
    sub: Subcommands, name: str, *, help: str, parents: list[argparse.ArgumentParser], description: str | None = None
) -> Subcommands:
    """A command group (``files``, ``batch``...): its subcommands are required."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help,
        description=description or help[:1].upper() + help[1:] + ".",
        parents=parents,
        formatter_class=_Formatter,
    )
    group = parser.add_subparsers(title="commands", dest=f"{name.replace('-', '_')}_command", metavar="COMMAND")
    group.required = True
    return group
