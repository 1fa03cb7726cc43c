"""One raw RFC 5322 message → what the rest of inbound/ needs, with the stdlib `email` package.

Nothing here touches the database. A message we cannot read faithfully raises `Unreadable` with
the reason (it goes to the quarantine); `lenient=True` (an admin released it) decodes what it can
instead, replacing what it cannot.
"""
from __future__ import annotations

import codecs
import email
import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.policy import EmailPolicy, linesep_splitter
from functools import lru_cache
from email.utils import getaddresses, parseaddr

import html2text

from complaints.uploads import Upload
from inbound.robots import Bounce, classify

_MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,900}>")  # printable ASCII without < and >


class _ParseOncePolicy(EmailPolicy):
    """`email.policy.default`, except that a header value is parsed into its header object once
    (the objects are immutable): reading a message asks for the same headers many times
    (Content-Type alone several times per part, through get_body, the attachments, the robot checks)."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        return _header_object(self.header_factory, name, value)


@lru_cache(maxsize=1024)
def _header_object(factory, name: str, value: str):
    return factory(name, "".join(linesep_splitter.split(value)))  # as EmailPolicy.header_fetch_parse


_POLICY = _ParseOncePolicy()


class Unreadable(Exception):
    """The reason a message cannot be processed as it is: str() is the English line (CLI, logs),
    `code` and `params` what the quarantine shows in the admin's language (inbound.reasons)."""

    def __init__(self, text: str, code: str, **params):
        super().__init__(text)
        self.code = code
        self.params = params


@dataclass
class ParsedMail:
    message_id: str
    dedupe_key: str
    from_name: str
    from_address: str
    recipients: list[str]
    subject: str
    in_reply_to: list[str]
    references: list[str]
    content_language: str
    text: str  # the whole text part (HTML made text), as the customer sent it
    attachments: list[Upload]
    robot: str = ""  # "" for a person; else why it is a machine ("auto-reply", "bounce", …)
    bounce: Bounce | None = None


def dedupe_key_of(message_id: str, raw: bytes) -> str:
    """The Message-ID, or the SHA-256 of the raw bytes for a message without one."""
    return message_id if message_id else "sha256:" + hashlib.sha256(raw).hexdigest()


def _split_head(raw: bytes) -> bytes:
    for separator in (b"\r\n\r\n", b"\n\n"):
        position = raw.find(separator)
        if position >= 0:
            return raw[:position]
    return raw


def check_raw(raw: bytes, *, max_bytes: int, max_header_bytes: int) -> None:
    """The checks made on the bytes before parsing (size, header size, 8-bit headers)."""
    if not raw.strip():
        raise Unreadable("empty message", "empty")
    if len(raw) > max_bytes:
        raise Unreadable(f"message too large ({len(raw) // (1024 * 1024)} MB, limit {max_bytes // (1024 * 1024)} MB)", "too_large",
                         size=len(raw) // (1024 * 1024), limit=max_bytes // (1024 * 1024))
    head = _split_head(raw)
    if len(head) > max_header_bytes:
        raise Unreadable(f"headers too large ({len(head) // 1024} KB, limit {max_header_bytes // 1024} KB)", "headers_too_large",
                         size=len(head) // 1024, limit=max_header_bytes // 1024)
    if not head.isascii():
        raise Unreadable("8-bit characters in the headers (not MIME-encoded)", "eight_bit_headers")


def parse(raw: bytes, *, max_bytes: int, max_header_bytes: int, lenient: bool = False) -> ParsedMail:
    if not lenient:
        check_raw(raw, max_bytes=max_bytes, max_header_bytes=max_header_bytes)
    try:
        message = email.message_from_bytes(raw, policy=_POLICY)
        return _parsed(message, raw, lenient)
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - any defect the e-mail package trips over is a reason, not a crash
        raise Unreadable(f"unreadable message ({type(exc).__name__}: {str(exc)[:200]})", "unparsable",
                         error=f"{type(exc).__name__}: {str(exc)[:200]}") from None


def _header(message: EmailMessage, name: str) -> str:
    value = message.get(name)
    return "" if value is None else " ".join(str(value).split())


def _message_ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def _parsed(message: EmailMessage, raw: bytes, lenient: bool) -> ParsedMail:
    message_id = (_message_ids(_header(message, "Message-ID")) or [""])[0]
    from_name, from_address = parseaddr(_header(message, "From"))
    if "@" not in from_address and not lenient:
        raise Unreadable("no sender address", "no_sender")
    recipients = [address for _name, address in getaddresses(
        [_header(message, name) for name in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")]) if address]
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        text = _decoded(body, lenient)
        if body.get_content_subtype() == "html":
            text = html_to_text(text)
    parsed = ParsedMail(
        message_id=message_id, dedupe_key=dedupe_key_of(message_id, raw), from_name=from_name.strip(),
        from_address=from_address.strip(), recipients=recipients, subject=_header(message, "Subject")[:300],
        in_reply_to=_message_ids(_header(message, "In-Reply-To")), references=_message_ids(_header(message, "References")),
        content_language=_header(message, "Content-Language"), text=text.strip(),
        attachments=_attachments(message, body))
    parsed.robot, parsed.bounce = classify(message, subject=parsed.subject, from_address=parsed.from_address)
    return parsed


def _decoded(part, lenient: bool) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset()
    errors = "replace" if lenient else "strict"
    if charset is None:
        if payload.isascii():
            return payload.decode("ascii")
        if not lenient:
            raise Unreadable("8-bit text without a charset", "no_charset")
        charset = "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        if not lenient:
            raise Unreadable(f"unknown charset {charset[:40]!r}", "unknown_charset", charset=charset[:40]) from None
        charset = "utf-8"
    try:
        return payload.decode(charset, errors=errors)
    except UnicodeDecodeError:
        raise Unreadable(f"text does not match its charset {charset[:40]!r}", "charset_mismatch",
                         charset=charset[:40]) from None


def html_to_text(html: str) -> str:
    """Safe text from HTML: scripts and styles dropped, links kept as text; it is stored and shown
    as plain, autoescaped text, never as markup."""
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_tables = True
    return converter.handle(html)


def _attachments(message: EmailMessage, body) -> list[Upload]:
    """Every file of the message, inline images included (not the text we read as the body, nor its
    alternative forms)."""
    found = []
    for number, part in enumerate(message.walk(), 1):
        if part.is_multipart() or part is body:
            continue
        filename = part.get_filename()
        if part.get_content_maintype() in ("text", "message") and not filename and not part.is_attachment():
            continue
        if part.get_content_type() in ("message/delivery-status", "message/disposition-notification"):
            continue
        content = part.get_payload(decode=True)
        if not content:
            continue
        found.append(Upload(filename=filename or f"{part.get_content_maintype()}-{number}", content=content))
    return found


def as_arrived(raw: bytes) -> tuple[list[tuple[str, str]], str, list[str]]:
    """For staff: (headers as sent, the whole text decoded as far as it goes, file names), never raising."""
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
        headers = [(name, " ".join(str(value).split())[:2000]) for name, value in message.items()]
    except Exception:  # noqa: BLE001 - the raw download still has it all
        return [], raw[:200_000].decode("utf-8", "replace"), []
    try:
        body = message.get_body(preferencelist=("plain", "html"))
        text = "" if body is None else _decoded(body, lenient=True)
        if body is not None and body.get_content_subtype() == "html":
            text = html_to_text(text)
        names = [upload.filename for upload in _attachments(message, body)]
    except Exception:  # noqa: BLE001
        text, names = raw[:200_000].decode("utf-8", "replace"), []
    return headers, text, names
