"""The grouped Settings menu (issue 16): one "Settings" entry in the main navigation leads to the
administration pages, grouped by what they look after. Each entry names the endpoint and the
least role that may open it (the pages' own `role_required` still decides; this only keeps the
menu from offering a page a person cannot open). `settings_sections(user)` is what the Settings
page and the side menu of every settings page show; `is_settings_page(endpoint)` tells base.html
when to show that side menu. Imports nothing of ours: endpoints are strings.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Entry:
    endpoint: str
    label: object
    hint: object
    role: str = "admin"
    also: tuple[str, ...] = ()  # further endpoints that belong to this entry (its sub-pages)
    framed: bool = True  # False: a page of daily work (main navigation) that Settings only links to


@dataclass(frozen=True)
class Group:
    key: str
    title: object
    entries: tuple[Entry, ...]


GROUPS: tuple[Group, ...] = (
    Group("people", _l("People & access"), (
        Entry("staff.accounts", _l("Staff accounts"), _l("Who can sign in, with which role"), also=("staff.edit_account",)),
        Entry("staff_security.sign_in_security", _l("Sign-in security"), _l("Second factor, lock-out, single sign-on")),
        Entry("staff_tokens.everyone", _l("All API tokens"), _l("Every token, its scope and last use")),
        Entry("staff_teams.teams", _l("Teams"), _l("Members, lead, working hours, who is away"), also=("staff_teams.edit",)),
    )),
    Group("conversations", _l("Conversations"), (
        Entry("canned.index", _l("Canned responses"),
              _l("Prepared replies and notes for the composer: your own, and the shared ones admins keep"),
              role="agent", also=("canned.edit",)),
    )),
    Group("intake", _l("Intake"), (
        Entry("complaints_admin.root_causes", _l("Root causes"), _l("The list agents choose a cause from")),
        Entry("complaints_admin.priority_rules", _l("Priority rules"), _l("How a new complaint's priority is set")),
        Entry("complaints_rules.categories", _l("Categories and custom fields"),
              _l("What complaints are about, the e-mail keywords, the fields staff fill in")),
        Entry("complaints_rules.routing_rules", _l("Routing rules"), _l("Which team and owner a new complaint goes to")),
        Entry("complaints_rules.trigger_rules", _l("Trigger rules"), _l("Conditions that set priority, tag, assign or notify")),
        Entry("customer_imports.upload", _l("Import customers"), _l("Customers from a spreadsheet"), role="manager"),
    )),
    Group("sla", _l("SLA"), (
        Entry("complaints_admin.sla", _l("Response and resolution targets"), _l("Per priority, in working hours")),
        Entry("business_hours.calendars", _l("Calendars"), _l("Time zones, opening hours, public holidays, closed days"),
              also=("business_hours.edit",)),
    )),
    Group("surveys", _l("Surveys"), (
        Entry("surveys_staff.index", _l("Survey definitions"), _l("Questions, languages, when they are sent"),
              role="manager", framed=False),
        Entry("surveys_staff.invitations", _l("Invitations"), _l("Who was asked, and what became of it"), role="manager"),
    )),
    Group("mail", _l("Mail"), (
        Entry("notifications.outbox", _l("Sent mail"), _l("Every e-mail the product sent or will send"),
              role="manager", also=("notifications.message",)),
        Entry("inbound.messages", _l("Received e-mail"), _l("Replies and new complaints by e-mail"), also=("inbound.message",)),
    )),
    Group("integrations", _l("Integrations"), (
        Entry("webhooks.endpoints", _l("Webhooks"), _l("Other systems told about changes")),
    )),
    Group("privacy", _l("Privacy & audit"), (
        Entry("audit.log", _l("Audit log"), _l("Who did what, and when")),
        Entry("customers.erasure", _l("Proposed for erasure"), _l("Customer files past their retention"), role="manager",
              also=("customers.erase",)),
    )),
)

SETTINGS_ENDPOINT = "staff_settings.index"


def settings_sections(user) -> list[tuple[Group, list[Entry]]]:
    """The groups and entries `user` may open, in menu order; groups left empty are dropped."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    shown = []
    for group in GROUPS:
        entries = [entry for entry in group.entries if user.has_role(entry.role)]
        if entries:
            shown.append((group, entries))
    return shown


def _endpoints(entry: Entry) -> tuple[str, ...]:
    return (entry.endpoint, *entry.also)


# The pages shown inside the settings frame (side menu); the Settings page itself is the menu.
SETTINGS_ENDPOINTS = frozenset({e for g in GROUPS for entry in g.entries if entry.framed
             for e in _endpoints(entry)})


def is_settings_page(endpoint: str | None) -> bool:
    return endpoint in SETTINGS_ENDPOINTS


def current_entry(endpoint: str | None) -> str | None:
    """The menu entry (its endpoint) the page `endpoint` belongs to."""
    for group in GROUPS:
        for entry in group.entries:
            if endpoint in _endpoints(entry):
                return entry.endpoint
    return None
