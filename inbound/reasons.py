"""Why a received message was quarantined or ignored, as a code with its values: the row stores
the code (`inbound_messages.reason_code`, `reason_params`) and the admin pages show it in the
reader's language through gettext; `reason` keeps the English line the CLI prints and the logs
show. A row without a code (stored before the codes) shows its `reason` as it is."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

TEXTS = {
    "empty": _l("The message is empty."),
    "too_large": _l("The message is too large (%(size)d MB; the limit is %(limit)d MB)."),
    "headers_too_large": _l("The header section is too large (%(size)d KB; the limit is %(limit)d KB)."),
    "eight_bit_headers": _l("The headers contain 8-bit characters that are not MIME-encoded."),
    "unparsable": _l("The message cannot be read (%(error)s)."),
    "no_sender": _l("The message has no sender address."),
    "no_charset": _l("The text has 8-bit characters but names no character set."),
    "unknown_charset": _l("The text names an unknown character set: %(charset)s."),
    "charset_mismatch": _l("The text does not match its character set %(charset)s."),
    "no_content": _l("The message has neither text nor an attachment."),
    "processing_failed": _l("Processing failed (%(error)s); kept for staff."),
    "auto_reply": _l("An automatic reply (out of office, auto-responder)."),
    "bounce": _l("A bounce (delivery failure notice)."),
    "delivery_report": _l("A delivery or read report."),
    "undeliverable": _l("A bounce: %(addresses)s cannot receive e-mail (marked undeliverable)."),
}
ROBOTS = {"auto-reply": "auto_reply", "bounce": "bounce", "delivery report": "delivery_report"}


def describe(code: str, params: dict | None, fallback: str = "") -> str:
    """The reason in the current language; an unknown code or missing value falls back to the
    stored English line (never an error on an admin page)."""
    text = TEXTS.get(code or "")
    if text is None:
        return fallback
    try:
        return str(text) % params if params else str(text)
    except (KeyError, TypeError, ValueError):
        return fallback
