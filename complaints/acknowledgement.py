"""The acknowledgement e-mail of a new complaint, composed from a skeleton rendered once per
(language, time zone).

Every public complaint queues one, and rendering its subject, text and HTML through Jinja (two
dozen `_()` calls, two dates, the greeting) was the largest share of a filing's CPU. So the
templates are rendered once per (language, time zone) with placeholders for what differs per
complaint — the greeting, the reference, the two target dates and the tracking link — and each
complaint's values are filled in, escaped for the HTML part exactly as Jinja's autoescape would.
`tests/unit/test_acknowledgement_mail.py` checks the result is identical, byte for byte, to
rendering each e-mail on its own (`render_acknowledgement`).
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask import current_app

from customers.salutations import catalogue_for, salutation
from notifications.services import RenderedEmail, fill_in, placeholders, render_email
from platform_support.templating import ZONED, local_datetime

TEMPLATE = "complaint_acknowledgement"
DATE_FORMAT = ZONED  # what the templates' `|when("zoned")` uses: minutes and the zone's name
_MAX_SKELETONS = 500  # (language, time zone) pairs kept per app

SALUTATION, REFERENCE, FIRST_RESPONSE, RESOLUTION, TRACKING_URL = placeholders(
    "salutation", "reference", "firstresponse", "resolution", "trackingurl")


class _PlaceholderComplaint:
    """What the templates may read of the complaint. Anything else fails loudly instead of
    rendering empty: add it here (and to `compose_acknowledgement`) first."""
    reference = REFERENCE
    first_response_due_at = FIRST_RESPONSE  # `|when` passes formatted text through
    resolution_due_at = RESOLUTION
    contact_name = ""  # only passed to salutation(), which the skeleton replaces
    customer = None

    def __getattr__(self, name: str):
        raise RuntimeError(f"the {TEMPLATE} templates read complaint.{name}: give it a placeholder in {__name__}")


def render_acknowledgement(complaint, tracking_url: str) -> RenderedEmail:
    """The acknowledgement rendered on its own (the reference the composed one must equal).
    `complaint` is a Complaint (or has its attributes) with its `customer`."""
    customer = complaint.customer
    return render_email(TEMPLATE, {"complaint": complaint, "tracking_url": tracking_url},
                        language=complaint.language, timezone=customer.timezone if customer else None)


def compose_acknowledgement(complaint, customer, tracking_url: str) -> RenderedEmail:
    """The acknowledgement of `complaint` (a new Complaint: language, reference, contact_name, the
    two due dates) to `customer`'s file (its salutation, patronymic, time zone; a newcomer's file
    may not be stored yet)."""
    language = complaint.language
    zone_name = getattr(customer, "timezone", None) or "UTC"
    skeleton, catalogue = _skeleton(language, zone_name)
    filled = {
        SALUTATION: salutation(customer, language=language, name=complaint.contact_name, translations=catalogue),
        REFERENCE: complaint.reference,
        FIRST_RESPONSE: _local_moment(complaint.first_response_due_at.replace(microsecond=0), zone_name, language),
        RESOLUTION: _local_moment(complaint.resolution_due_at.replace(microsecond=0), zone_name, language),
        TRACKING_URL: tracking_url,
    }
    return fill_in(skeleton, filled)


@lru_cache(maxsize=1024)
def _local_moment(value: datetime, zone_name: str, language: str) -> str:
    """A due date as the customer reads it (no seconds, the zone named), so filings within the same
    second share one Babel formatting (≈ 30 µs)."""
    return local_datetime(value, zone_name, language, DATE_FORMAT)


def _skeleton(language: str, zone_name: str) -> tuple[RenderedEmail, object]:
    """Per app (its templates and catalogues); not kept while templates reload (debug)."""
    cache = current_app.extensions.setdefault("complaint_acknowledgement_skeletons", {})
    key = (language, zone_name)
    found = cache.get(key)
    if found is None:
        context = {"complaint": _PlaceholderComplaint(), "tracking_url": TRACKING_URL,
                   "salutation": lambda *args, **kwargs: SALUTATION}  # shadows the Jinja global of that name
        found = (render_email(TEMPLATE, context, language=language, timezone=zone_name), catalogue_for(language))
        if not current_app.jinja_env.auto_reload:
            if len(cache) >= _MAX_SKELETONS:
                cache.clear()
            cache[key] = found
    return found
