"""The one check of an e-mail address a person or client gives us (complaint form, public API,
customer API, CSV import): exactly one plain address.

The address goes into the To: header of the e-mails we send, so a list ("a@x.example,
victim@y.example"), a display name ("Eve <eve@x.example>"), a quoted local part, a domain literal,
whitespace or a control character is refused rather than "cleaned". The syntax rules are
email-validator's (the library WTForms' Email validator uses), without a DNS lookup.
"""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

MAX_LENGTH = 254  # RFC 5321's limit on a forward path, and our columns' width
MESSAGE = _l("Please enter a valid e-mail address.")


def is_single_address(value: str) -> bool:
    """True when `value` (taken as it is: surrounding spaces make it invalid) is one address."""
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        return False
    try:
        validate_email(value, check_deliverability=False, allow_display_name=False, allow_quoted_local=False,
                       allow_domain_literal=False, allow_empty_local=False)
    except EmailNotValidError:
        return False
    return True
