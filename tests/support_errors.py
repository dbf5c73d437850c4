"""Test helpers shared by every suite: draining a stream, and every text an exception (and its chain) can show."""

from __future__ import annotations

import inspect
import json
import traceback
from typing import Any

from mistral_lca import APIStatusError

__all__ = ["drain", "exception_chain", "exception_texts"]


async def drain(stream: Any) -> tuple[list[Any], BaseException | None]:
    """Everything a (sync or async) stream delivered, and the error that ended it, if any; the stream is closed."""
    items: list[Any] = []
    try:
        if hasattr(stream, "__aiter__"):
            async for item in stream:
                items.append(item)
        else:
            for item in stream:
                items.append(item)
    except Exception as exc:
        return items, exc
    finally:
        closing = getattr(stream, "aclose", None) or getattr(stream, "close", None)
        if closing is not None:
            outcome = closing()
            if inspect.isawaitable(outcome):
                await outcome
    return items, None


def exception_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything hidden behind it (``__cause__`` and ``__context__``, transitively)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is not None and not any(item is s for s in seen):
            seen.append(item)
            todo += [item.__cause__, item.__context__]
    return seen


def exception_texts(exc: BaseException) -> list[str]:
    """Every text ``exc`` can show: its traceback, and each chained exception's str, repr, args and fields
    (for API errors also headers, body and every validation detail)."""
    out = ["".join(traceback.format_exception(exc))]  # chained causes included
    for item in exception_chain(exc):
        out += [str(item), repr(item), repr(item.args), repr(vars(item))]
        if isinstance(item, APIStatusError):
            out += [json.dumps(item.body, default=str), repr(item.headers), repr(dict(item.headers))]
            out += [repr(item.details), repr([(d.loc, d.msg, d.type, d.input) for d in item.details])]
            out.append(str(item.provider_message))
    return out
