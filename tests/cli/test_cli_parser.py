"""The command line itself: help everywhere, global options, exit statuses, usage and config errors.

Nothing here reaches the network: each failure is detected before a request is built.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import SECRET, invoke

from mistral_lca.cli import EXIT_INTERRUPTED, EXIT_USAGE, build_parser, main


def _command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = (*prefix, name)
                yield path
                yield from _command_paths(sub, path)


ALL_PATHS = sorted(set(_command_paths(build_parser())))


def test_every_documented_command_exists() -> None:
    expected = {
        ("models", "list"),
        *(("files", c) for c in ("upload", "list", "get", "delete", "download")),
        *(("fine-tune", c) for c in ("create", "list", "get", "cancel", "wait")),
        *(("batch", c) for c in ("submit", "list", "get", "wait", "results")),
        ("ocr",),
        ("transcribe",),
        ("chat",),
        ("embed",),
        ("moderate",),
        *(("agents", c) for c in ("list", "create", "ask")),
        ("demo",),
    }
    assert expected <= set(ALL_PATHS)


@pytest.mark.parametrize("path", [(), *ALL_PATHS], ids=lambda p: " ".join(p) or "top")
def test_help_exits_zero_everywhere(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(capsys, *path, "--help")
    assert result.code == 0
    assert result.out.startswith("usage: mistral-lca")
    assert result.err == ""


def test_top_level_help_documents_env_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(capsys, "--help")
    for word in ("LOWCODEAPI_API_TOKEN", "LOWCODEAPI_BASE_URL", "--json", "--base-url", "--path-params", "130"):
        assert word in result.out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from mistral_lca import __version__

    result = invoke(capsys, "--version")
    assert result.code == 0
    assert result.out.strip() == f"mistral-lca {__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["files"],
        ["batch"],
        ["nope"],
        ["chat"],
        ["models", "list", "--timeout", "0"],
        ["models", "list", "--max-retries", "-1"],
        ["models", "list", "--path-params", "sideways"],
        ["embed", "x.txt", "--batch-size", "0"],
        ["demo", "--live", "--offline"],
        ["batch", "submit", "x.jsonl", "--endpoint", "chat"],
    ],
    ids=lambda a: " ".join(a) or "nothing",
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(capsys, *argv)
    assert result.code == EXIT_USAGE
    assert "usage:" in result.err
    assert result.out == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["models", "list"],
        ["files", "list"],
        ["fine-tune", "list"],
        ["batch", "list"],
        ["chat", "hello"],
        ["moderate", "hello"],
        ["agents", "list"],
        ["ocr", "https://example.com/doc.pdf"],
        ["transcribe", "https://example.com/a.mp3"],
        ["--json", "models", "list"],
    ],
    ids=" ".join,
)
def test_missing_token_exits_2_naming_the_variable(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    result = invoke(capsys, *argv)
    assert result.code == EXIT_USAGE
    assert "LOWCODEAPI_API_TOKEN" in result.err
    assert result.err.startswith("mistral-lca: error:")
    if "--json" in argv:  # scripts get the error as JSON on stdout too
        error = json.loads(result.out)["error"]
        assert error["type"] == "MissingTokenError" and error["status"] is None
        assert "LOWCODEAPI_API_TOKEN" in error["message"]
    else:
        assert result.out == ""


def test_missing_token_for_embed_after_reading_the_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("a\nb\n")
    result = invoke(capsys, "embed", str(texts))
    assert result.code == EXIT_USAGE
    assert "LOWCODEAPI_API_TOKEN" in result.err


def test_bad_base_url_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", SECRET)
    result = invoke(capsys, "models", "list", "--base-url", "ftp://example.com")
    assert result.code == EXIT_USAGE
    assert "base_url" in result.err
    assert SECRET not in result.all_text


@pytest.mark.parametrize(
    "argv",
    [
        ["files", "upload", "{missing}"],
        ["embed", "{missing}"],
        ["ocr", "{missing}"],
        ["transcribe", "{missing}"],
        ["batch", "submit", "{missing}"],
    ],
    ids=lambda a: a[0],
)
def test_missing_local_file_is_a_usage_error(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", SECRET)
    missing = str(tmp_path / "nope.bin")
    result = invoke(capsys, *[a.replace("{missing}", missing) for a in argv], "--base-url", "http://127.0.0.1:9")
    assert result.code == EXIT_USAGE
    assert "not found" in result.err
    assert missing in result.err


def test_invalid_request_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", SECRET)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    result = invoke(capsys, "ocr", str(empty), "--base-url", "http://127.0.0.1:9")
    assert result.code == EXIT_USAGE
    assert "empty" in result.err


def test_global_options_work_before_and_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--json", "--base-url", "http://a.test/x", "--timeout", "5", "models", "list"])
    after = parser.parse_args(["models", "list", "--json", "--base-url", "http://a.test/x", "--timeout", "5"])
    middle = parser.parse_args(["models", "--json", "list", "--timeout", "5", "--base-url", "http://a.test/x"])
    for args in (before, after, middle):
        assert args.json is True
        assert args.base_url == "http://a.test/x"
        assert args.timeout == 5.0


def test_global_option_given_first_is_not_reset_by_the_subcommand() -> None:
    from mistral_lca.cli._config import apply_global_defaults

    args = apply_global_defaults(
        build_parser().parse_args(["--max-retries", "0", "--path-params", "path", "models", "list"])
    )
    assert args.max_retries == 0
    assert args.path_params == "path"
    assert args.json is False
    assert args.progress == "auto"


def test_client_built_from_options(monkeypatch: pytest.MonkeyPatch) -> None:
    from mistral_lca.cli._config import apply_global_defaults, build_client

    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", SECRET)
    monkeypatch.setenv("LOWCODEAPI_BASE_URL", "http://env.test/mistralai")
    args = apply_global_defaults(
        build_parser().parse_args(["models", "list", "--max-retries", "5", "--path-params", "path"])
    )
    client = build_client(args)
    assert client.base_url == "http://env.test/mistralai"
    assert client.max_retries == 5
    assert client.path_params == "path"
    assert SECRET not in repr(client)
    args.base_url = "http://flag.test/mistralai/"
    assert build_client(args).base_url == "http://flag.test/mistralai"


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import mistral_lca.cli.models as models_cli

    def interrupted(ctx: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(models_cli, "_list", interrupted)
    result = invoke(capsys, "models", "list")
    assert result.code == EXIT_INTERRUPTED == 130
    assert "interrupted" in result.err


def test_unexpected_error_is_reported_without_traceback_or_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import mistral_lca.cli.models as models_cli
    from mistral_lca._secrets import register_secret

    register_secret(SECRET)

    def broken(ctx: Any) -> int:
        raise RuntimeError(f"boom with {SECRET} inside")

    monkeypatch.setattr(models_cli, "_list", broken)
    result = invoke(capsys, "models", "list")
    assert result.code == 1
    assert "internal error" in result.err
    assert "Traceback" not in result.err
    assert SECRET not in result.all_text


# ------------------------------------------------------------------------------------------------ demo


def test_demo_without_the_demo_module(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib

    real_import = importlib.import_module

    def fake_import(name: str, package: str | None = None) -> Any:
        if name == "mistral_lca.demo":
            raise ModuleNotFoundError("No module named 'mistral_lca.demo'", name="mistral_lca.demo")
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    result = invoke(capsys, "demo")
    assert result.code == EXIT_USAGE
    assert "demo is not available" in result.err


def test_demo_runs_the_demo_module_with_its_options(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[argparse.Namespace] = []
    module = types.ModuleType("mistral_lca.demo")

    def run(args: argparse.Namespace) -> int:
        seen.append(args)
        return 3

    module.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mistral_lca.demo", module)
    result = invoke(capsys, "demo", "--live", "--only", "chat,embed", "--only", "ocr")
    assert result.code == 3
    (args,) = seen
    assert args.live is True and args.offline is False
    assert args.only == ["chat", "embed", "ocr"]
    assert args.json is False and args.base_url is None  # global options are passed along

    seen.clear()
    assert main(["demo"]) == 3
    assert seen[0].live is False and seen[0].only is None


def test_download_as_json_needs_an_output_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", SECRET)
    result = invoke(capsys, "files", "download", "file-1", "--json", "--base-url", "http://127.0.0.1:9")
    assert result.code == EXIT_USAGE
    assert "--output" in result.err


def test_batch_submit_needs_an_endpoint_for_bare_bodies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", SECRET)
    requests = tmp_path / "bodies.jsonl"
    requests.write_text('{"input": "a"}\n')
    result = invoke(capsys, "batch", "submit", str(requests), "--base-url", "http://127.0.0.1:9")
    assert result.code == EXIT_USAGE
    assert "--endpoint" in result.err
