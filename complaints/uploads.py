"""Attachments: type sniffed from content, size limited, stored under a random name outside static/."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from platform_support import file_store
from platform_support.errors import ServiceError

# Only these, recognised by their first bytes (never by the name or the declared type).
_SIGNATURES: list[tuple[bytes, int, str, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"%PDF-", 0, "application/pdf", "pdf"),
]


def clean_filename(name: str | None) -> str:
    """The name a person gave a file, made safe to store and to send back in a header: no
    directory parts, no control characters (CR, LF, NUL…), no unpaired surrogates, NFC, at
    most 200 characters. A name with nothing left becomes "attachment"."""
    text = unicodedata.normalize("NFC", (name or "").encode("utf-8", "replace").decode("utf-8"))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    text = text.strip().lstrip(".").strip()
    return text[:200] or "attachment"


@dataclass(frozen=True)
class Upload:
    """What a view, the API or an e-mail hands to the services: the bytes and the name the user
    gave, cleaned here so that no caller can store a name that breaks a later download."""
    filename: str
    content: bytes

    def __post_init__(self):
        object.__setattr__(self, "filename", clean_filename(self.filename))


def sniff_type(content: bytes) -> tuple[str, str] | None:
    for magic, offset, content_type, extension in _SIGNATURES:
        if content[offset:offset + len(magic)] == magic:
            return content_type, extension
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check_uploads(uploads: list[Upload], *, already: int = 0) -> list[tuple[Upload, str, str]]:
    """Validate every file before anything is written; returns (upload, content_type, extension).
    `already`: files kept from an earlier attempt that count towards the limit."""
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    max_files = current_app.config["UPLOAD_MAX_FILES"]
    uploads = [u for u in uploads if u.content]
    if len(uploads) + already > max_files:
        raise ServiceError(_("You can attach at most %(n)d files.", n=max_files),
                           {"attachments": [_("Too many files.")]})
    accepted = []
    for upload in uploads:
        if len(upload.content) > max_bytes:
            raise ServiceError(_("The file is too large."), {"attachments": [
                _("%(name)s is larger than %(mb)d MB.", name=upload.filename[:100], mb=max_bytes // (1024 * 1024))]})
        sniffed = sniff_type(upload.content)
        if sniffed is None:
            raise ServiceError(_("This type of file is not accepted."), {"attachments": [
                _("%(name)s is not a photo (JPEG, PNG, GIF, WebP) or a PDF.", name=upload.filename[:100])]})
        accepted.append((upload, *sniffed))
    return accepted


def store(content: bytes, extension: str) -> str:
    """Save accepted content (platform_support.file_store: database or folder); returns its name."""
    return file_store.save(content, extension)
