"""``mistral-lca files upload|list|get|delete|download|url``."""

from __future__ import annotations

import argparse
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._commands import Subcommands, add_command, add_group
from ._config import non_negative_int, positive_int
from ._context import Context, UsageError, require_file, require_output
from ._output import Column, format_bytes, format_time, render_fields, render_table

if TYPE_CHECKING:
    from mistral_lca.types.files import FileObject

    from ._progress import Progress

__all__ = ["ProgressFile", "file_fields", "register", "upload_file", "upload_input"]

_PURPOSES = ("fine-tune", "batch", "ocr", "audio")


class ProgressFile(io.BufferedReader):
    """A file opened for upload that reports each chunk httpx reads (and restarts on a retry's rewind)."""

    def __init__(self, path: Path, progress: Progress) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self._progress = progress

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self._progress.advance(len(data))
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = super().seek(offset, whence)
        if whence == os.SEEK_SET:
            self._progress.update(position)
        return position


@contextmanager
def upload_input(ctx: Context, path: Path) -> Iterator[Path | tuple[str, ProgressFile]]:
    """What to pass as ``file=`` to stream ``path``: the path itself, or, when progress is shown, the file
    wrapped so that a byte progress bar follows the upload."""
    if not ctx.show_progress:
        yield path
        return
    size = path.stat().st_size
    with (
        ctx.progress(f"uploading {path.name}", total=size, unit="bytes") as progress,
        ProgressFile(path, progress) as f,
    ):
        yield (path.name, f)


def upload_file(ctx: Context, path: Path, *, purpose: str, **options: Any) -> FileObject:
    """Upload ``path`` (streamed from disk), with a byte progress bar when progress is shown."""
    with upload_input(ctx, path) as file:
        return ctx.client.files.upload(file=file, purpose=purpose, **options)


def file_fields(item: FileObject) -> list[tuple[str, Any]]:
    return [
        ("id", item.id),
        ("filename", item.filename),
        ("purpose", item.purpose),
        ("size", format_bytes(item.bytes)),
        ("lines", item.num_lines),
        ("mimetype", item.mimetype),
        ("sample type", item.sample_type),
        ("source", item.source),
        ("created", format_time(item.created_at)),
        ("expires", format_time(item.expires_at) if item.expires_at else None),
    ]


_COLUMNS = (
    Column("ID", lambda f: f.id, max_width=40),
    Column("FILENAME", lambda f: f.filename, max_width=40),
    Column("PURPOSE", lambda f: f.purpose),
    Column("SIZE", lambda f: format_bytes(f.bytes), right=True),
    Column("LINES", lambda f: f.num_lines, right=True),
    Column("CREATED", lambda f: format_time(f.created_at)),
)


def _upload(ctx: Context) -> int:
    path = require_file(ctx.args.path)
    options = {"visibility": ctx.args.visibility, "expiry": ctx.args.expiry}
    uploaded = upload_file(ctx, path, purpose=ctx.args.purpose, **{k: v for k, v in options.items() if v is not None})
    ctx.out.result(uploaded, lambda: render_fields(file_fields(uploaded)))
    return 0


def _list(ctx: Context) -> int:
    args = ctx.args
    listing = ctx.client.files.list(page=args.page, page_size=args.page_size, purpose=args.purpose, search=args.search)
    ctx.out.result(listing, lambda: render_table(listing.data, _COLUMNS, empty="(no files)"))
    return 0


def _get(ctx: Context) -> int:
    item = ctx.client.files.retrieve(ctx.args.file_id)
    ctx.out.result(item, lambda: render_fields(file_fields(item)))
    return 0


def _delete(ctx: Context) -> int:
    result = ctx.client.files.delete(ctx.args.file_id)
    ctx.out.result(result, lambda: f"deleted {result.id}")
    return 0


def _download(ctx: Context) -> int:
    args = ctx.args
    if args.output is None:
        if ctx.out.json_mode:
            raise UsageError("files download --json needs --output PATH (the content itself is not JSON)")
        data = ctx.client.files.download(args.file_id)
        buffer = getattr(ctx.out.stdout, "buffer", None)
        if buffer is not None:
            ctx.out.stdout.flush()
            buffer.write(data)
            buffer.flush()
        else:
            ctx.out.write(data.decode("utf-8", errors="replace"))
        return 0
    target = require_output(args.output, directory_ok=True)
    if target.is_dir():
        target = target / Path(ctx.client.files.retrieve(args.file_id).filename or args.file_id).name
    path = ctx.client.files.download_to(args.file_id, target)
    size = path.stat().st_size
    ctx.out.result(
        {"id": args.file_id, "path": str(path), "bytes": size}, lambda: f"wrote {format_bytes(size)} to {path}"
    )
    return 0


def _url(ctx: Context) -> int:
    signed = ctx.client.files.get_signed_url(ctx.args.file_id, expiry=ctx.args.expiry)
    ctx.out.result(signed, lambda: signed.url)
    return 0


def register(sub: Subcommands, parents: list[argparse.ArgumentParser]) -> None:
    group = add_group(sub, "files", help="upload, list, inspect, download and delete files", parents=parents)

    cmd = add_command(group, "upload", help="upload a file (streamed from disk)", parents=parents, handler=_upload)
    cmd.add_argument("path", metavar="PATH", help="the local file")
    cmd.add_argument(
        "-p", "--purpose", choices=_PURPOSES, default="fine-tune", help="what it is for (default fine-tune)"
    )
    cmd.add_argument("--visibility", choices=("workspace", "user"), help="who can see it")
    cmd.add_argument("--expiry", type=positive_int, metavar="N", help="delete the stored file after this expiry")

    cmd = add_command(group, "list", help="list uploaded files", parents=parents, handler=_list)
    cmd.add_argument("-p", "--purpose", choices=_PURPOSES, help="only files with this purpose")
    cmd.add_argument("--search", metavar="TEXT", help="only files whose name contains TEXT")
    cmd.add_argument("--page", type=non_negative_int, metavar="N", help="page number (from 0)")
    cmd.add_argument("--page-size", type=positive_int, metavar="N", help="files per page")

    cmd = add_command(group, "get", help="show a file's metadata", parents=parents, handler=_get)
    cmd.add_argument("file_id", metavar="FILE_ID")

    cmd = add_command(group, "delete", help="delete a file", parents=parents, handler=_delete)
    cmd.add_argument("file_id", metavar="FILE_ID")

    cmd = add_command(
        group, "download", help="download a file's content (to stdout, or --output)", parents=parents, handler=_download
    )
    cmd.add_argument("file_id", metavar="FILE_ID")
    cmd.add_argument("-o", "--output", metavar="PATH", help="write to this file (streamed to disk)")

    cmd = add_command(group, "url", help="print a signed, time-limited download URL", parents=parents, handler=_url)
    cmd.add_argument("file_id", metavar="FILE_ID")
    cmd.add_argument("--expiry", type=positive_int, metavar="HOURS", help="validity in hours (API default 24)")
