"""``mistral-lca ocr FILE|URL``: a PDF or image to markdown."""

from __future__ import annotations

import argparse
from typing import Any

from ._commands import Subcommands, add_command
from ._config import positive_int
from ._context import Context, UsageError, require_file, require_output

__all__ = ["is_url", "parse_pages", "register"]

DEFAULT_OCR_MODEL = "mistral-ocr-latest"


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://", "data:"))


def parse_pages(value: str | None) -> list[int] | str | None:
    """``"0,2,5"`` → ``[0, 2, 5]``; ranges such as ``"0-3"`` are passed on as the API's string form."""
    if value is None:
        return None
    text = value.replace(" ", "")
    if not text:
        raise UsageError("--pages is empty")
    if "-" in text:
        return text
    try:
        return [int(part) for part in text.split(",") if part]
    except ValueError:
        raise UsageError(f"--pages expects page numbers like 0,2,5 or a range like 0-3, got {value!r}") from None


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {"model": args.model}
    pages = parse_pages(args.pages)
    if pages is not None:
        options["pages"] = pages
    if args.include_images:
        options["include_image_base64"] = True
    if args.table_format:
        options["table_format"] = args.table_format
    if args.image_limit is not None:
        options["image_limit"] = args.image_limit
    return options


def _run(ctx: Context) -> int:
    args = ctx.args
    output = require_output(args.output) if args.output else None
    ocr = ctx.client.ocr
    source: str = args.source
    if args.file_id:
        response = ocr.process(file_id=source, **_options(args))
    elif is_url(source):
        response = ocr.process(document=source, **_options(args))
    else:
        path = require_file(source)
        response = ocr.process_file(path, upload=args.upload, **_options(args))
    pages = len(response.pages)
    if output is not None:
        target = output
        target.write_text(response.markdown + "\n", encoding="utf-8")
        ctx.out.result(
            {"source": source, "model": response.model, "pages": pages, "output": str(target)},
            lambda: f"wrote {pages} page(s) of markdown to {target}",
        )
        return 0
    if ctx.out.json_mode:
        ctx.out.json(response)
        return 0
    ctx.out.info(f"{pages} page(s), {response.model or args.model}")
    ctx.out.text(response.markdown)
    return 0


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    cmd = add_command(
        sub,
        "ocr",
        help="extract a PDF's or image's text as markdown",
        parents=parents,
        handler=_run,
        epilog=(
            "examples:\n"
            "  mistral-lca ocr invoice.pdf > invoice.md\n"
            "  mistral-lca ocr https://arxiv.org/pdf/2201.04234 --pages 0-2\n"
            "  mistral-lca ocr scan.png --json | jq '.pages[0].markdown'"
        ),
    )
    cmd.add_argument("source", metavar="FILE|URL", help="a local PDF or image, or an http(s) or data: URL")
    cmd.add_argument("-m", "--model", default=DEFAULT_OCR_MODEL, help=f"model (default {DEFAULT_OCR_MODEL})")
    cmd.add_argument("--pages", metavar="PAGES", help="0-based pages: 0,2,5 or a range 0-3")
    cmd.add_argument("--upload", action="store_true", help="upload the local file first instead of sending it inline")
    cmd.add_argument("--file-id", action="store_true", help="SOURCE is the id of a file uploaded with purpose ocr")
    cmd.add_argument("--include-images", action="store_true", help="return extracted images as base64 (--json)")
    cmd.add_argument("--image-limit", type=positive_int, metavar="N", help="extract at most N images")
    cmd.add_argument("--table-format", choices=("markdown", "html"), help="extract tables separately in this format")
    cmd.add_argument("-o", "--output", metavar="PATH", help="write the markdown to this file")
