"""Anything that becomes an e-mail header must be free of CR, LF and other control characters."""
from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def header_safe(value: str, *, limit: int = 200) -> str:
    """Collapse control characters to spaces: a name like "Eve\\r\\nBcc: x" cannot add a header."""
    return _CONTROL.sub(" ", value or "").strip()[:limit]


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value or ""))
