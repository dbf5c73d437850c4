"""Every example script and every ```python block in docs/*.md and README.md runs, offline, against the LowCodeAPI stand-in.

Each runs in a subprocess (as a user would run it) with ``LOWCODEAPI_BASE_URL`` pointing at a local
``FakeLowCodeAPI`` and a dummy ``at_`` token, in a scratch folder holding the files the docs mention
(``expense-claim.pdf``, ``meeting.mp3``). A block preceded by ``<!-- no-run -->`` is not run (used sparingly).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mistral_lca.demo.data import expense_claim_pdf

ROOT = Path(__file__).resolve().parents[2]
DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
TOKEN = "at_docs_example_token"
NO_RUN = "<!-- no-run -->"
_FENCE_RE = re.compile(r"^```(\w*)\s*$")

# What each example must print (structural: the stand-in's replies are not model prose).
EXAMPLE_MARKERS = {
    "client_quickstart.py": ["chat: ", "stream: ", "embeddings: 2 vectors of", "fim: ", "error: NotFoundError 404"],
    "langchain_rag.py": ["answer: ", "sources: ["],
    "langchain_agent.py": ["tool call: per_diem(", "answer: "],
    "llamaindex_query_engine.py": ["answer: ", "source: "],
    "llamaindex_agent.py": ["tool call: per_diem(", "answer: "],
    "documents_ocr_moderation.py": ["langchain page 0: ", "llamaindex page 1: ", "moderation flagged: "],
}


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    code: str


def python_blocks(path: Path) -> tuple[list[Block], int]:
    """The runnable ```python blocks of a markdown file, and how many were marked no-run."""
    blocks: list[Block] = []
    skipped = 0
    lines = path.read_text(encoding="utf-8").splitlines()
    previous = ""
    index = 0
    while index < len(lines):
        match = _FENCE_RE.match(lines[index])
        if match is None:
            if lines[index].strip():
                previous = lines[index].strip()
            index += 1
            continue
        start = index
        index += 1
        body: list[str] = []
        while index < len(lines) and not lines[index].startswith("```"):
            body.append(lines[index])
            index += 1
        index += 1
        if match.group(1) == "python":
            if previous == NO_RUN:
                skipped += 1
            else:
                blocks.append(Block(path.name, start + 1, "\n".join(body) + "\n"))
        previous = ""
    return blocks, skipped


_RUNNER = """
import sys, traceback
blocks = {blocks!r}
for doc, line, code in blocks:
    try:
        exec(compile(code, f"{{doc}} (block at line {{line}})", "exec"), {{"__name__": "__main__"}})
    except BaseException:
        traceback.print_exc()
        print(f"BLOCK FAILED: {{doc}} line {{line}}", file=sys.stderr)
        raise SystemExit(1)
    print(f"BLOCK OK: {{doc}} line {{line}}")
"""


@pytest.fixture(scope="module")
def stand_in() -> Iterator[str]:
    from mistral_lca.testing import FakeLowCodeAPI

    with FakeLowCodeAPI() as server:
        yield server.base_url


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "expense-claim.pdf").write_bytes(expense_claim_pdf())
    (tmp_path / "meeting.mp3").write_bytes(b"ID3" + bytes(2048))
    return tmp_path


def child_env(base_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LOWCODEAPI_", "MISTRAL", "LANGCHAIN_", "LANGSMITH_", "OPENAI_"))
    }
    env.update(
        LOWCODEAPI_API_TOKEN=TOKEN,
        LOWCODEAPI_BASE_URL=base_url,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=180, check=False)


def test_there_is_something_to_test() -> None:
    assert {p.name for p in DOCS} >= {"client.md", "langchain.md", "llamaindex.md", "cli.md"}
    assert set(EXAMPLE_MARKERS) == {p.name for p in EXAMPLES}
    total_skipped = 0
    for doc in DOCS:
        blocks, skipped = python_blocks(doc)
        assert blocks or doc.name == "README.md", f"{doc.name} has no runnable python block"
        total_skipped += skipped
    assert total_skipped <= 3, "no-run is for the rare block that cannot run offline"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(example: Path, stand_in: str, workdir: Path) -> None:
    proc = run([sys.executable, str(example)], workdir, child_env(stand_in))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for marker in EXAMPLE_MARKERS[example.name]:
        assert marker in proc.stdout, (marker, proc.stdout)
    assert TOKEN not in proc.stdout + proc.stderr


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_doc_python_blocks_run(doc: Path, stand_in: str, workdir: Path) -> None:
    blocks, _ = python_blocks(doc)
    if not blocks:
        pytest.skip(f"{doc.name} has no python blocks")
    runner = workdir / "run_blocks.py"
    runner.write_text(_RUNNER.format(blocks=[(b.doc, b.line, b.code) for b in blocks]), encoding="utf-8")
    proc = run([sys.executable, str(runner)], workdir, child_env(stand_in))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("BLOCK OK:") == len(blocks)
    assert TOKEN not in proc.stdout + proc.stderr


def test_cli_examples_script_runs(stand_in: str, workdir: Path) -> None:
    env = child_env(stand_in)
    env.update(MISTRAL_LCA=f"{sys.executable} -m mistral_lca.cli", PYTHON=sys.executable)
    proc = run(["bash", str(ROOT / "examples" / "cli_examples.sh")], workdir, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for marker in ("== models", "== chat", "flagged: violence_and_threats", "== OCR", "deleted ", "== agents"):
        assert marker in proc.stdout, marker
    assert "Replaying recorded responses" in proc.stdout
    assert TOKEN not in proc.stdout + proc.stderr
