"""Survey invitation e-mails: the secret links, and rendering once per kind of recipient.

A dispatch pass sends hundreds of invitations that differ only in the greeting, the complaint
reference and the secret token in the links. Rendering subject, text and HTML through Jinja for
each one (dozens of `_()` calls, eleven links) was most of the dispatch's CPU. So the templates are
rendered once per (survey, language, time zone, reminder or not, complaint or not, expiry) with
placeholders, and each recipient's values are filled in — escaped for the HTML part exactly as
Jinja's autoescape would. `tests/unit/test_invitation_mail.py` checks the result is identical,
byte for byte, to rendering each e-mail on its own.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from customers.salutations import catalogue_for, salutation
from notifications.services import RenderedEmail, fill_in, outbox_values, placeholders, render_email
from surveys.defaults import SCALE_LABELS
from surveys.models import SCALES, SurveyInvitation
from surveys.texts import localized

# --- links ------------------------------------------------------------------------------------


def invitation_token(invitation: SurveyInvitation) -> str:
    """256-bit, derived with SECRET_KEY from the row's random nonce: the reminder repeats the same
    link while the database keeps only its SHA-256."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"survey-invitation:{invitation.id}:{invitation.token_nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def survey_url(token: str) -> str:
    return f"{current_app.config['BASE_URL']}/survey/{token}"


def unsubscribe_url(token: str) -> str:
    return f"{survey_url(token)}/unsubscribe"


def one_click_unsubscribe_url(token: str) -> str:
    return f"{survey_url(token)}/one-click-unsubscribe"


def _first_question_links(invitation: SurveyInvitation, token: str, language: str) -> dict | None:
    questions = [q for q in invitation.survey.questions if not q.retired]
    if not questions:
        return None
    first = questions[0]
    link = {"text": localized(first.text, language), "qtype": first.qtype, "options": []}
    if first.qtype in SCALES:
        low, high = SCALES[first.qtype]
        link["options"] = [(str(n), str(n), f"{survey_url(token)}?score={n}") for n in range(low, high + 1)]
        link["low_label"], link["high_label"] = (_(text) for text in SCALE_LABELS[first.qtype])
    elif first.qtype == "choice":
        link["options"] = [(c["value"], localized(c.get("label"), language), f"{survey_url(token)}?score={c['value']}")
                           for c in first.choices]
    return link


def _context(invitation: SurveyInvitation, *, customer, complaint, reminder: bool, token: str, language: str) -> dict:
    with force_locale(language):  # default texts are translated through the catalogue: in her language
        return {
            "customer": customer, "complaint": complaint, "reminder": reminder,
            "title": localized(invitation.survey.title, language), "intro": localized(invitation.survey.intro, language),
            "first": _first_question_links(invitation, token, language), "survey_url": survey_url(token),
            "unsubscribe_url": unsubscribe_url(token), "expires_at": invitation.expires_at,
        }


def render_invitation(invitation: SurveyInvitation, *, reminder: bool, token: str, language: str) -> RenderedEmail:
    """One invitation rendered on its own (the reference the merged rendering must equal)."""
    context = _context(invitation, customer=invitation.customer, complaint=invitation.complaint,
                       reminder=reminder, token=token, language=language)
    return render_email("survey_invitation", context, language=language, timezone=invitation.customer.timezone)


# --- rendering once per kind of recipient -------------------------------------------------------

SALUTATION, REFERENCE, TOKEN = placeholders("salutation", "reference", "token")


class _PlaceholderComplaint:
    reference = REFERENCE


class InvitationMail:
    """Composes the invitation e-mails of one dispatch pass, rendering the templates once per
    kind of recipient. What a template may vary per recipient: the greeting
    (`salutation(customer, …)`), `complaint.reference` and the token in the links."""

    def __init__(self) -> None:
        self._skeletons: dict[tuple, RenderedEmail] = {}
        self._catalogues: dict[str, object] = {}

    def compose(self, invitation: SurveyInvitation, *, reminder: bool, token: str, language: str) -> RenderedEmail:
        customer, complaint = invitation.customer, invitation.complaint
        key = (invitation.survey_id, language, customer.timezone, reminder, complaint is not None, invitation.expires_at)
        skeleton = self._skeletons.get(key)
        if skeleton is None:
            skeleton = self._skeletons[key] = self._render_skeleton(
                invitation, reminder=reminder, language=language, with_complaint=complaint is not None)
        catalogue = self._catalogues.get(language)
        if catalogue is None:
            catalogue = self._catalogues[language] = catalogue_for(language)
        values = {SALUTATION: salutation(customer, language=language, translations=catalogue),
                  REFERENCE: complaint.reference if complaint is not None else "", TOKEN: token}
        return fill_in(skeleton, values)

    @staticmethod
    def _render_skeleton(invitation: SurveyInvitation, *, reminder: bool, language: str, with_complaint: bool) -> RenderedEmail:
        context = _context(invitation, customer=None, complaint=_PlaceholderComplaint() if with_complaint else None,
                           reminder=reminder, token=TOKEN, language=language)
        context["salutation"] = lambda *args, **kwargs: SALUTATION  # shadows the Jinja global of that name
        return render_email("survey_invitation", context, language=language, timezone=invitation.customer.timezone)


def survey_email(invitation: SurveyInvitation, *, reminder: bool, now: datetime, mail: InvitationMail,
                 token: str | None = None) -> dict:
    """The outbox row (`notifications.services.outbox_values`) of an invitation or its reminder."""
    customer = invitation.customer
    complaint = invitation.complaint
    language = (complaint.language if complaint is not None else customer.language) or "en"
    token = token or invitation_token(invitation)
    rendered = mail.compose(invitation, reminder=reminder, token=token, language=language)
    kind = "survey_reminder" if reminder else "survey_invitation"
    address = customer.email or (complaint.contact_email if complaint is not None else "")
    return outbox_values(
        kind=kind, to_address=address, to_name=customer.name, rendered=rendered,
        # No outbox dedupe key: the invitation row, locked and fenced in this transaction, is
        # what makes the e-mail happen once (and saves a lookup + savepoint per message).
        language=language,
        extra_headers={"List-Unsubscribe": f"<{one_click_unsubscribe_url(token)}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        customer_id=customer.id, complaint_id=invitation.complaint_id, now=now)
