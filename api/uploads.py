"""Streaming multipart uploads: the file goes to disk chunk by chunk, hashed and size-capped.

Starlette's form parser would spool the whole body before we could look at its size; this one
stops reading the moment the cap is passed, so a huge upload costs neither memory nor disk.
``receive_submission`` streams a candidate's archive and hands it to
``harness.submissions.intake.receive``; ``receive_csv`` reads a bulk-invitation file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from api.deps import Forbidden
from harness.db.engine import Database
from harness.errors import HarnessError, InputRejected
from harness.invitations.bulk import MAX_BULK_BYTES
from harness.invitations.service import check_link
from harness.ledger.clock import Clock
from harness.settings import Settings
from harness.submissions import intake
from harness.submissions.service import incoming_dir

__all__ = [
    "BadUpload",
    "UploadTooLarge",
    "UploadedFile",
    "receive_csv",
    "receive_submission",
    "receive_upload",
]

MAX_FIELD_BYTES = 16 * 1024
MAX_FIELDS = 20


class UploadTooLarge(HarnessError):
    status_code = 413


class BadUpload(HarnessError):
    status_code = 422


@dataclass
class UploadedFile:
    """The uploaded file, on disk, with what we learnt while streaming it."""

    path: Path
    filename: str
    size: int
    sha256: str
    fields: dict[str, str] = field(default_factory=dict)
    """The other (small) form fields, e.g. ``csrf_token`` and ``hours``."""

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class _Collector:
    def __init__(self, incoming: Path, cap: int, file_field: str) -> None:
        self.incoming = incoming
        self.cap = cap
        self.file_field = file_field
        self.fields: dict[str, str] = {}
        self.headers: dict[bytes, bytes] = {}
        self._header_field = b""
        self._header_value = b""
        self._name: str | None = None
        self._filename: str | None = None
        self._value = bytearray()
        self._fh: Any = None
        self._hash = hashlib.sha256()
        self.size = 0
        self.path: Path | None = None
        self.filename: str | None = None

    # python-multipart callbacks ------------------------------------------------------------
    def on_part_begin(self) -> None:
        self.headers = {}
        self._name = self._filename = None
        self._value = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        raw = params.get(b"filename")
        self._filename = None if raw is None else raw.decode("utf-8", "replace")
        if self._name == self.file_field and self._filename is not None:
            if self.path is not None:
                raise BadUpload("send exactly one file in the field 'file'")
            fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=self.incoming)
            self._fh = os.fdopen(fd, "wb")
            self.path = Path(name)
            self.filename = os.path.basename(self._filename.replace("\\", "/")) or "submission"
        elif len(self.fields) >= MAX_FIELDS:
            raise BadUpload("too many form fields")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._fh is not None:
            self.size += len(chunk)
            if self.size > self.cap:
                raise UploadTooLarge(
                    f"{self.filename!r} is larger than the {self.cap // (1024 * 1024)} MiB upload "
                    "limit; leave data and model files out of your submission"
                )
            self._hash.update(chunk)
            self._fh.write(chunk)
        else:
            self._value += chunk
            if len(self._value) > MAX_FIELD_BYTES:
                raise BadUpload(f"form field {self._name!r} is too long")

    def on_part_end(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        elif self._name:
            self.fields[self._name] = self._value.decode("utf-8", "replace")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _check_headers(request: Request, cap_bytes: int) -> bytes:
    """The multipart boundary; refuses other bodies, and bodies declared too large."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise BadUpload(
            "send the submission as multipart/form-data with the file in the field 'file'"
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap_bytes + 1024 * 1024:
        raise UploadTooLarge(
            f"the upload is larger than the {cap_bytes // (1024 * 1024)} MiB limit; leave data and "
            "model files out of your submission"
        )
    boundary: bytes = params[b"boundary"]
    return boundary


def _parser(boundary: bytes, collector: _Collector) -> MultipartParser:
    return MultipartParser(
        boundary,
        {
            "on_part_begin": collector.on_part_begin,
            "on_part_data": collector.on_part_data,
            "on_part_end": collector.on_part_end,
            "on_header_field": collector.on_header_field,
            "on_header_value": collector.on_header_value,
            "on_header_end": collector.on_header_end,
            "on_headers_finished": collector.on_headers_finished,
        },
    )


def _abandon(collector: _Collector) -> None:
    collector.close()
    if collector.path:
        collector.path.unlink(missing_ok=True)


async def receive_upload(
    request: Request, *, incoming: Path, cap_bytes: int, file_field: str = "file"
) -> UploadedFile:
    """Read a ``multipart/form-data`` request, streaming ``file_field`` into ``incoming``.

    Raises ``UploadTooLarge`` (413) past ``cap_bytes`` and ``BadUpload`` (422) for a malformed
    body or a missing file. The caller owns the file and must move or ``discard()`` it.
    """
    boundary = _check_headers(request, cap_bytes)
    incoming.mkdir(parents=True, exist_ok=True)
    collector = _Collector(incoming, cap_bytes, file_field)
    parser = _parser(boundary, collector)
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except HarnessError:
        _abandon(collector)
        raise
    except Exception as exc:
        _abandon(collector)
        raise BadUpload(f"the upload could not be read as multipart/form-data: {exc}") from None
    collector.close()
    if collector.path is None or collector.filename is None:
        raise BadUpload(
            f"no file was sent: put the submission archive in the form field {file_field!r}"
        )
    if collector.size == 0:
        collector.path.unlink(missing_ok=True)
        raise BadUpload("the uploaded file is empty")
    return UploadedFile(
        path=collector.path,
        filename=collector.filename,
        size=collector.size,
        sha256=collector.hexdigest,
        fields=collector.fields,
    )


async def receive_submission(
    request: Request,
    db: Database,
    settings: Settings,
    clock: Clock,
    token: str,
    *,
    status_link: Callable[[int], str],
    check: Callable[[dict[str, str]], bool] | None = None,
) -> intake.Accepted:
    """Stream a candidate's archive to disk and take it in (``intake.receive``, in a worker
    thread). The link is checked before a byte of the body is read; ``check`` looks at the form
    fields that came with the file (the page's CSRF token) before anything is stored."""
    await run_in_threadpool(check_link, db, token)
    upload = await receive_upload(
        request, incoming=incoming_dir(settings), cap_bytes=settings.max_upload_mb * 1024 * 1024
    )
    try:
        if check is not None and not check(upload.fields):
            raise Forbidden(
                "the form expired or did not come from this site; reload the page and try again"
            )
        return await run_in_threadpool(
            lambda: intake.receive(
                db,
                settings,
                token,
                upload.path,
                filename=upload.filename,
                sha256=upload.sha256,
                size=upload.size,
                reported_hours=upload.fields.get("hours"),
                now=clock.now(),
                status_link=status_link,
            )
        )
    finally:
        upload.discard()  # no-op once accepted (moved into blob storage)


async def receive_csv(request: Request, settings: Settings) -> tuple[bytes, dict[str, str]]:
    """The CSV of a bulk invitation, and the form fields that came with it: a ``text/csv``
    body, or the ``file`` of a multipart form. At most ``MAX_BULK_BYTES``."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        upload = await receive_upload(
            request, incoming=incoming_dir(settings), cap_bytes=MAX_BULK_BYTES
        )
        try:
            return upload.path.read_bytes(), upload.fields
        finally:
            upload.discard()
    if not content_type.startswith(("text/csv", "text/plain", "application/csv")):
        raise BadUpload("send the CSV as text/csv, or as the field 'file' of a multipart form")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BULK_BYTES:
            raise InputRejected(
                f"the file is larger than {MAX_BULK_BYTES // 1024} KiB; split it into smaller files"
            )
    return bytes(body), {}
