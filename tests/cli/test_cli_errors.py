"""Failures for scripts and for people: ``--json`` puts the error on stdout too, and local files are checked first.

Runs ``main(argv)`` in-process against the local stand-in; ``fake.count() == 0`` proves nothing reached it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import SECRET, CliResult, invoke

from mistral_lca.cli import EXIT_API_ERROR, EXIT_USAGE
from mistral_lca.testing import FakeLowCodeAPI

Run = Callable[..., CliResult]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JSONL = '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}\n'


@pytest.fixture
def fake() -> Iterator[FakeLowCodeAPI]:
    with FakeLowCodeAPI(required_token=SECRET) as server:
        yield server


@pytest.fixture
def cli(fake: FakeLowCodeAPI, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", SECRET)

    def run(*argv: str) -> CliResult:
        return invoke(capsys, *argv, "--base-url", fake.base_url, "--max-retries", "0", "--progress", "never")

    return run


def _error(result: CliResult) -> dict[str, Any]:
    error: dict[str, Any] = result.json()["error"]
    assert set(error) == {"type", "message", "status"}
    assert SECRET not in result.all_text
    return error


# ------------------------------------------------------------------------------------------- --json errors


def test_an_api_error_is_json_on_stdout(cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = cli("files", "get", "0b5f0000-0000-4000-8000-000000000000", "--json")
    assert missing.code == EXIT_API_ERROR
    error = _error(missing)
    assert (error["type"], error["status"]) == ("NotFoundError", 404)
    assert error["message"].startswith("404 Not Found")
    assert missing.err.startswith("mistral-lca: error: NotFoundError: 404 Not Found")  # people still get stderr

    monkeypatch.setenv("LOWCODEAPI_API_TOKEN", "at_some_other_token")
    refused = cli("models", "list", "--json")
    assert refused.code == EXIT_API_ERROR
    assert (_error(refused)["type"], _error(refused)["status"]) == ("AuthenticationError", 401)


def test_usage_and_request_errors_are_json_with_a_null_status(cli: Run, tmp_path: Path) -> None:
    missing = cli("ocr", str(tmp_path / "nowhere.pdf"), "--json")
    assert missing.code == EXIT_USAGE
    assert _error(missing) == {
        "type": "UsageError",
        "message": f"file not found: {tmp_path / 'nowhere.pdf'}",
        "status": None,
    }
    invalid = cli("chat", "hello", "--temperature", "3", "--json")
    assert invalid.code == EXIT_USAGE
    error = _error(invalid)
    assert error["type"] == "InvalidRequestError" and error["status"] is None
    assert "temperature: Input should be less than or equal to 1.5" in error["message"]


def test_without_json_stdout_stays_empty(cli: Run) -> None:
    result = cli("files", "get", "0b5f0000-0000-4000-8000-000000000000")
    assert result.code == EXIT_API_ERROR and result.out == ""


# ---------------------------------------------------------------------------------- local files, checked first


def test_fine_tune_refuses_a_missing_training_file_before_any_request(cli: Run, fake: FakeLowCodeAPI) -> None:
    result = cli("fine-tune", "create", "-m", "open-mistral-7b", "-t", "./missing.jsonl", "--json")
    assert result.code == EXIT_USAGE
    assert _error(result)["message"] == "training file not found: ./missing.jsonl"
    assert fake.count() == 0


def test_fine_tune_checks_every_file_before_uploading_any(cli: Run, fake: FakeLowCodeAPI, tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    train.write_text(JSONL)
    result = cli("fine-tune", "create", "-m", "open-mistral-7b", "-t", str(train), "-v", str(tmp_path / "val.jsonl"))
    assert result.code == EXIT_USAGE
    assert "validation file not found" in result.err
    assert fake.count() == 0  # the training file was not uploaded either


def test_fine_tune_still_takes_file_ids(cli: Run, fake: FakeLowCodeAPI, tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    train.write_text(JSONL)
    file_id = cli("files", "upload", str(train), "--purpose", "fine-tune", "--json").json()["id"]
    result = cli("fine-tune", "create", "-m", "open-mistral-7b", "-t", file_id, "--training-steps", "5", "--json")
    assert result.code == 0, result.err
    assert result.json()["training_files"] == [file_id]


@pytest.mark.parametrize(
    "argv",
    [
        ["ocr", "{pdf}", "-o", "{missing}/out.md"],
        ["batch", "results", "job_1", "-o", "{missing}/results.jsonl"],
        ["files", "download", "0b5f0000-0000-4000-8000-000000000000", "-o", "{missing}/file.bin"],
        ["ocr", "{pdf}", "-o", "{dir}"],
    ],
    ids=["ocr", "batch-results", "files-download", "ocr-into-a-directory"],
)
def test_output_paths_are_checked_before_the_request(
    cli: Run, fake: FakeLowCodeAPI, tmp_path: Path, argv: list[str]
) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(PDF)
    values = {"pdf": str(pdf), "missing": str(tmp_path / "no" / "such"), "dir": str(tmp_path)}
    result = cli(*(part.format(**values) for part in argv))
    assert result.code == EXIT_USAGE, result.err
    assert "output directory not found" in result.err or "output is a directory" in result.err
    assert fake.count() == 0


@pytest.mark.parametrize(
    ("argv", "content", "message"),
    [
        (["ocr", "{file}"], b"", "is empty (0 bytes)"),
        (["ocr", "{file}", "--upload"], b"", "is empty (0 bytes)"),
        (["transcribe", "{file}"], b"", "is empty (0 bytes)"),
        (["ocr", "{file}"], b"plain notes", "is text/plain; OCR reads PDF, Word (.docx), PowerPoint (.pptx)"),
        (["ocr", "{file}", "--upload"], b"plain notes", "is text/plain"),
    ],
    ids=["ocr-empty", "ocr-upload-empty", "transcribe-empty", "ocr-txt", "ocr-upload-txt"],
)
def test_empty_and_unsupported_files_are_refused_locally(
    cli: Run, fake: FakeLowCodeAPI, tmp_path: Path, argv: list[str], content: bytes, message: str
) -> None:
    suffix = ".mp3" if argv[0] == "transcribe" else (".pdf" if not content else ".txt")
    path = tmp_path / f"input{suffix}"
    path.write_bytes(content)
    result = cli(*(part.format(file=str(path)) for part in argv), "--json")
    assert result.code == EXIT_USAGE
    assert message in _error(result)["message"]
    assert fake.count() == 0
