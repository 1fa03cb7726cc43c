"""Where the content of stored files (attachments) lives: the database by default, or a folder.

One small API for everyone who stores files (complaint form, tracking page, e-mail intake, staff
replies, exports, erasure):

    name = file_store.save(content, "png")    # a random, server-chosen name
    with file_store.open(name) as stream: ... # a binary file object read in chunks; FileNotFoundError
    file_store.read(name) -> bytes            # small files, exports
    file_store.delete(name)                   # gone (no error when already gone)

ATTACHMENT_STORE=database (the default) keeps the bytes in `stored_files`, split into rows of
CHUNK_BYTES, written in the caller's transaction: the file and the row that refers to it commit
or roll back together, any number of web hosts share them with no shared disk, and a download
reads one chunk at a time (constant memory). ATTACHMENT_STORE=filesystem keeps them under
INSTANCE_PATH/uploads as before (written at once; put the folder on shared storage for several
hosts). The checks of what may be stored (size, sniffed type) stay with the caller
(complaints/uploads.check_uploads).
"""
from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import Integer, LargeBinary, String, delete as sql_delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db

CHUNK_BYTES = 256 * 1024
_NAME = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{1,8}")


class StoredFileChunk(db.Model):
    """Part `part` (from 0) of the stored file `name`."""
    __tablename__ = "stored_files"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


def _backend() -> str:
    return current_app.config.get("ATTACHMENT_STORE", "database")


def upload_folder() -> Path:
    folder = Path(current_app.config["INSTANCE_PATH"]) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _checked(name: str) -> str:
    # Names are ours (save() makes them); anything else is refused before it reaches a path or query.
    if not _NAME.fullmatch(name or ""):
        raise FileNotFoundError(name)
    return name


def save(content: bytes, extension: str) -> str:
    """Store `content`; returns its new name. Database: part of the caller's transaction."""
    name = f"{secrets.token_hex(16)}.{extension.lower()}"
    _checked(name)
    if _backend() == "filesystem":
        (upload_folder() / name).write_bytes(content)
        return name
    for part, start in enumerate(range(0, max(len(content), 1), CHUNK_BYTES)):
        db.session.add(StoredFileChunk(name=name, part=part, data=content[start:start + CHUNK_BYTES]))
    db.session.flush()
    return name


class _DatabaseReader(io.RawIOBase):
    """A read-only file over the chunks of one stored file: one query per chunk, as it is read."""

    def __init__(self, name: str, parts: int):
        super().__init__()
        self._name, self._parts, self._next, self._buffer = name, parts, 0, b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer and self._next < self._parts:
            self._buffer = db.session.scalar(select(StoredFileChunk.data).where(
                StoredFileChunk.name == self._name, StoredFileChunk.part == self._next)) or b""
            self._next += 1
        size = min(len(target), len(self._buffer))
        target[:size], self._buffer = self._buffer[:size], self._buffer[size:]
        return size


def open(name: str) -> io.BufferedIOBase:  # noqa: A001 - the file-store verb, used as file_store.open
    """A binary file object for reading; FileNotFoundError when there is no such file."""
    _checked(name)
    if _backend() == "filesystem":
        return (upload_folder() / name).open("rb")
    parts = db.session.scalar(select(func.count()).where(StoredFileChunk.name == name))
    if not parts:
        raise FileNotFoundError(name)
    return io.BufferedReader(_DatabaseReader(name, parts), buffer_size=CHUNK_BYTES)


def read(name: str) -> bytes:
    with open(name) as stream:
        return stream.read()


def delete(name: str) -> None:
    """Remove the file (database: in the caller's transaction). Missing is not an error."""
    try:
        _checked(name)
    except FileNotFoundError:
        return
    if _backend() == "filesystem":
        (upload_folder() / name).unlink(missing_ok=True)
        return
    db.session.execute(sql_delete(StoredFileChunk).where(StoredFileChunk.name == name))
