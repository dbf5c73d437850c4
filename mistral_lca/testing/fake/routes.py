"""Route table with ``{param}`` templates, matching both LowCodeAPI path-parameter forms.

* new ("path") form: ``/v1/files/abc123``
* old ("query") form: ``/v1/files/file_id?file_id=abc123`` — the literal segment is the parameter's
  name and the value travels in the query string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

__all__ = ["Match", "PathForm", "Route", "RouteTable"]

H = TypeVar("H")
PathForm = Literal["path", "query"]


@dataclass(frozen=True, slots=True)
class Route(Generic[H]):
    method: str
    template: str
    handler: H

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.template.strip("/").split("/"))


@dataclass(frozen=True, slots=True)
class Match(Generic[H]):
    route: Route[H]
    params: dict[str, str]
    form: PathForm
    query_params: tuple[str, ...]  # parameters taken from the query string (old form)


class RouteTable(Generic[H]):
    """Static routes are an O(1) dict hit; templated ones are scanned per segment count."""

    def __init__(self, routes: Iterable[Route[H]] = ()) -> None:
        self._static: dict[tuple[str, str], Route[H]] = {}
        self._templated: dict[int, list[tuple[Route[H], tuple[str, ...]]]] = {}
        for route in routes:
            self.add(route)

    def add(self, route: Route[H]) -> None:
        segs = route.segments
        if not any(s.startswith("{") for s in segs):
            self._static[(route.method, "/" + "/".join(segs))] = route
        else:
            self._templated.setdefault(len(segs), []).append((route, segs))

    def routes(self) -> list[Route[H]]:
        out = list(self._static.values())
        for group in self._templated.values():
            out.extend(r for r, _ in group)
        return out

    def match(self, method: str, path: str, query: Mapping[str, str]) -> Match[H] | None:
        """Best route for ``method`` and ``path``; static routes win over templated ones."""
        clean = "/" + path.strip("/")
        route = self._static.get((method, clean))
        if route is not None:
            return Match(route, {}, "path", ())
        return self._find(clean, query, method)

    def path_exists(self, path: str, query: Mapping[str, str]) -> bool:
        """Whether any method is routed at ``path`` (to tell 405 from 404)."""
        clean = "/" + path.strip("/")
        if any(p == clean for _, p in self._static):
            return True
        return self._find(clean, query, None) is not None

    def _find(self, clean: str, query: Mapping[str, str], method: str | None) -> Match[H] | None:
        segs = tuple(clean.strip("/").split("/"))
        best: Match[H] | None = None
        best_score = -1
        for route, tsegs in self._templated.get(len(segs), ()):
            if method is not None and route.method != method:
                continue
            params: dict[str, str] = {}
            from_query: list[str] = []
            score = 0
            for seg, tseg in zip(segs, tsegs, strict=True):
                if tseg.startswith("{"):
                    name = tseg[1:-1]
                    if seg == name and name in query:
                        params[name] = query[name]
                        from_query.append(name)
                    else:
                        params[name] = seg
                elif seg == tseg:
                    score += 1
                else:
                    break
            else:
                if score > best_score:
                    best_score = score
                    best = Match(route, params, "query" if from_query else "path", tuple(from_query))
        return best

    def concrete_path(self, match: Match[H]) -> str:
        """The Mistral path with parameter values substituted (what upstream would see)."""
        out = []
        for tseg in match.route.segments:
            out.append(match.params[tseg[1:-1]] if tseg.startswith("{") else tseg)
        return "/" + "/".join(out)
