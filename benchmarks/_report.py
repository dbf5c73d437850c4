"""Render ``RESULTS.md``: machine and versions, the targets, then one table per benchmark case."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import sys
from importlib import metadata

from ._cases import CASES, CaseInfo
from ._results import Measurement, ResultBook
from ._targets import Outcome, evaluate, lower_bounds

__all__ = ["load_average", "machine_lines", "render"]

PACKAGES = (
    "mistral-lca",
    "httpx",
    "pydantic",
    "orjson",
    "langchain-core",
    "llama-index-core",
    "langchain-mistralai",
    "llama-index-llms-mistralai",
    "llama-index-embeddings-mistralai",
    "mistralai",
    "httpx-sse",
    "tokenizers",
)
_SCALE = {"us": 1e6, "ms": 1e3, "s": 1.0, "MB": 1e-6}


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> str:
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown"


def machine_lines() -> list[str]:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [
        f"- Machine: {platform.machine()}, {_cpu()}, {os.cpu_count()} logical CPUs, {_memory_gb()} RAM; "
        f"{platform.platform()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), {sys.executable}",
        "- Packages: " + ", ".join(versions),
    ]


def _fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "count":
        return f"{value:.0f}"
    if unit == "MB":
        return f"{value * _SCALE[unit]:,.0f} MB"
    scaled = value * _SCALE[unit]
    digits = 0 if scaled >= 100 else 1 if scaled >= 10 else 2
    return f"{scaled:,.{digits}f} {unit}"


def _auto_unit(seconds: float) -> str:
    return "us" if seconds < 1e-3 else "ms" if seconds < 1 else "s"


def _ratio(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}x" if value < 0.1 else f"{value:.2f}x"


def _targets_table(outcomes: list[Outcome]) -> list[str]:
    lines = ["| Target | Ours | Anchor | Ratio | Limit | Status |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        if o.unit == "count":
            ours = f"{o.ours}: {_fmt(o.ours_value, 'count')}"
            anchor = f"limit {o.anchor_value}"
        elif o.unit == "fraction":
            ours = f"{o.ours}: {o.ours_value:.0%} fewer" if o.ours_value is not None else f"{o.ours}: n/a"
            anchor = o.anchor
        else:
            ours = f"{o.ours}: {_fmt(o.ours_value, _auto_unit(o.ours_value or 0))}"
            anchor = f"{o.anchor}: {_fmt(o.anchor_value, _auto_unit(o.anchor_value or 0))}" if o.anchor else ""
        status = "n/a (missing figure)" if o.met is None else ("met" if o.met else "**MISSED**")
        lines.append(f"| {o.target} | {ours} | {anchor} | {_ratio(o.ratio)} | {o.limit} | {status} |")
    return lines


def _extra(m: Measurement, key: str) -> str:
    value = m.extra.get(key)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def _case_table(info: CaseInfo, rows: list[Measurement], book: ResultBook) -> list[str]:
    refs: list[tuple[str, Measurement]] = []
    for label, subject in info.refs:
        ref = book.get(info.case, subject)
        if ref is not None:
            refs.append((label, ref))
    head = [
        "Subject",
        "Role",
        "Median",
        "Runs",
        *[label for label, _ in refs],
        *[c for c, _ in info.extra_columns],
        "Note",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    order = {"ours": 0, "anchor": 1, "baseline": 2}
    for m in sorted(rows, key=lambda r: order.get(r.role, 3)):
        unit = "MB" if m.unit == "B" else info.unit
        cells = [m.subject if m.role != "ours" else f"**{m.subject}**", m.role, _fmt(m.value, unit), str(m.runs)]
        cells += [_ratio(m.value / ref.value) if ref.value else "n/a" for _, ref in refs]
        cells += [_extra(m, key) for _, key in info.extra_columns]
        cells.append(m.note)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def render(book: ResultBook, *, quick: bool, seconds: float, command: str, load_at_start: str = "") -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Benchmark results",
        "",
        f"Generated by `{command}` on {now} in {seconds / 60:.1f} min"
        + (" — **quick smoke run: small sizes, few repeats; do not quote these figures**." if quick else "."),
        "Every figure is the median of the runs shown; every ratio compares figures measured in this same run.",
        "All clients talk to one local Mistral-compatible server process on 127.0.0.1 (see README.md).",
        "",
        "## Machine and versions",
        "",
        *machine_lines(),
        f"- Load average (1/5/15 min) at start: {load_at_start or 'n/a'}; at end: {load_average()} "
        f"(other processes on the machine add noise; ratios are measured round-robin in the same run)",
        "",
        "## Targets (issue 8)",
        "",
        *_targets_table(evaluate(book)),
        "",
    ]
    bounds = lower_bounds(book)
    if bounds:
        out += [
            "Lower bounds for the LangChain targets (a LangChain chat model is langchain-core's invoke/stream "
            "machinery around an HTTP client; the floor rows below measure that machinery alone):",
            "",
            *bounds,
            "",
        ]
    seen = []
    for m in book.measurements:
        if m.case not in seen:
            seen.append(m.case)
    for case in seen:
        info = CASES.get(case) or CaseInfo(case, case, "")
        out += [f"## {info.title}", "", info.what + ".", ""]
        out += _case_table(info, book.case(case), book)
        for note in book.notes.get(case, []):
            out += ["", note]
        out.append("")
    if book.skipped:
        out += ["## Not measured", "", "| Case | Subject | Reason |", "|---|---|---|"]
        for s in book.skipped:
            reason = s.reason.replace("|", "/").replace("\n", " ")[:200]
            out.append(f"| {s.case} | {s.subject} | {reason} |")
        out.append("")
    return "\n".join(out)
