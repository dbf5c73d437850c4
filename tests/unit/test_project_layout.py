"""The project's own promises about its layout: CI runs the README's command; every package is typed."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _ci_command() -> str:
    lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.startswith("python3 -m venv")]
    assert len(lines) == 1
    return lines[0]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    command = _ci_command()
    assert "--record-mode=none" in command and "--block-network" in command
    assert command in readme.splitlines()


def test_every_package_ships_py_typed() -> None:
    for package in ("mistral_lca", "langchain_mistral_lca", "llamaindex_mistral_lca"):
        assert (ROOT / package / "py.typed").is_file(), package


def test_vcr_config_has_no_record_mode() -> None:
    # A record_mode in vcr_config silently beats --record-mode=none on the command line.
    conftest = (ROOT / "tests" / "conftest.py").read_text()
    assert '"record_mode":' not in conftest.split("def vcr_config", 1)[1].split("def ", 1)[0]
