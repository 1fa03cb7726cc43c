"""Anything that becomes an e-mail header must be free of CR, LF and other control characters."""
from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # C0, DEL, C1 (NEL is a line break too)


def header_safe(value: str, *, limit: int = 200) -> str:
    """Collapse control characters to spaces: a name like "Eve\\r\\nBcc: x" cannot add a header."""
    # "=?" starts an RFC 2047 encoded word, which the e-mail library would decode (CR/LF and all)
    # when it parses the header: typed text must stay text.
    return _CONTROL.sub(" ", value or "").replace("=?", "= ?").strip()[:limit]


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value or ""))
