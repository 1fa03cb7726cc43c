"""Staff side: the queue, the complaint page and one POST route per lifecycle action."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from complaints import actions, queries
from complaints.forms import (AssignForm, CloseForm, CommitActionForm, FactForm, PriorityForm, ReopenForm,
                              ResolveForm, UpdateForm)
from complaints.labels import CHANNEL_LABELS, EVENT_LABELS
from complaints.lifecycle import PRIORITIES, PRIORITY_LABELS, STATE_LABELS, STATES, allowed_actions
from complaints.models import Attachment
from complaints.public_views import send_attachment
from extensions import db
from platform_support.clock import utcnow
from platform_support.errors import NotFound, PermissionDenied, ServiceError
from staff.services import active_staff

blueprint = Blueprint("complaints_staff", __name__, url_prefix="/staff/complaints")


@blueprint.app_context_processor
def complaint_labels():
    return {"STATE_LABELS": STATE_LABELS, "PRIORITY_LABELS": PRIORITY_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
            "event_labels": EVENT_LABELS}


def _filters_from_request(owner_default: str | None = None) -> queries.QueueFilter:
    args = request.args
    return queries.QueueFilter(status=args.get("status") or None, owner=args.get("owner") or owner_default,
                               priority=args.get("priority") or None, overdue=args.get("overdue") == "1")


@blueprint.route("/")
@login_required
def queue():
    return _queue_page(_filters_from_request(), title=_("Complaint queue"))


@blueprint.route("/mine")
@login_required
def mine():
    return _queue_page(_filters_from_request(owner_default="me"), title=_("My complaints"))


def _queue_page(filters: queries.QueueFilter, *, title: str):
    now = utcnow()
    complaints, next_cursor = queries.queue_page(current_user, filters, now=now, cursor=request.args.get("cursor"))
    next_url = None
    if next_cursor:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        next_url = url_for(request.endpoint, **args, cursor=next_cursor)
    return render_template("complaints/staff/queue.html", complaints=complaints, next_url=next_url,
                           filters=filters, counts=queries.counts_by_status(current_user, only_mine=filters.owner == "me"), now=now, title=title,
                           states=STATES, priorities=PRIORITIES, staff=active_staff())


FORM_NAMES = {"fact": "fact_form", "assign": "assign_form", "update": "update_form", "commit": "commit_form",
              "resolve": "resolve_form", "reopen": "reopen_form", "close": "close_form", "priority": "priority_form"}


def _page_forms(complaint, submitted=None):
    """Every action form of the page, each carrying the complaint's current version; `submitted`
    (a refused form) is shown again with what was typed and its errors."""
    assign = AssignForm(prefix="assign")
    staff = active_staff() if current_user.is_manager else [current_user]
    assign.owner.choices = [(s.email, f"{s.name} ({s.email})") for s in staff]
    resolve = ResolveForm(prefix="resolve")
    resolve.root_cause.choices = [("", _("Choose…"))] + [(rc.code, rc.name) for rc in actions.active_root_causes()]
    priority = PriorityForm(prefix="priority", priority=complaint.priority)
    forms = {"fact_form": FactForm(prefix="fact"), "assign_form": assign, "update_form": UpdateForm(prefix="update"),
             "commit_form": CommitActionForm(prefix="commit"), "resolve_form": resolve, "reopen_form": ReopenForm(prefix="reopen"),
             "close_form": CloseForm(prefix="close"), "priority_form": priority}
    if submitted is not None:
        name = FORM_NAMES[submitted._prefix.rstrip("-")]
        if hasattr(submitted, "owner"):
            submitted.owner.choices = assign.owner.choices
        if hasattr(submitted, "root_cause"):
            submitted.root_cause.choices = resolve.root_cause.choices
        forms[name] = submitted
    for form in forms.values():
        form.version.data = str(complaint.version)  # what this page shows; a resubmit is based on it
    return forms


def _detail_page(complaint, submitted=None, status: int = 200):
    return render_template("complaints/staff/detail.html", complaint=complaint, now=utcnow(),
                           actions=allowed_actions(complaint.status), **_page_forms(complaint, submitted)), status


@blueprint.route("/<reference>")
@login_required
def detail(reference: str):
    try:
        complaint = queries.get_visible_complaint(reference, current_user)
    except NotFound:
        abort(404)
    return _detail_page(complaint)


def _act(reference: str, form, perform, success: str):
    """Validate the form, run one service call, then go back to the complaint. A refused action
    shows the page again with what was typed and every error at once (nothing typed is lost);
    a conflict (someone changed the complaint meanwhile) says what changed, with a 409."""
    status = 400
    if form.validate_on_submit():
        try:
            perform(form)
        except NotFound:
            abort(404)
        except ServiceError as exc:
            db.session.rollback()
            status = exc.status_code
            flash(exc.message, "error")
            for name, messages in exc.fields.items():
                if hasattr(form, name):
                    getattr(form, name).errors = list(getattr(form, name).errors or []) + list(messages)
        else:
            flash(success, "success")
            return redirect(url_for("complaints_staff.detail", reference=reference))
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
    try:
        complaint = queries.get_visible_complaint(reference, current_user)
    except NotFound:
        abort(404)
    return _detail_page(complaint, form, status)


@blueprint.route("/<reference>/facts", methods=["POST"])
@login_required
def add_fact(reference: str):
    return _act(reference, FactForm(prefix="fact"), lambda f: actions.record_fact(
        reference, f.text.data, actor=current_user, minutes=f.minutes.data, expected_version=f.seen_version), _("Fact recorded."))


@blueprint.route("/<reference>/assign", methods=["POST"])
@login_required
def assign(reference: str):
    form = AssignForm(prefix="assign")
    form.owner.choices = [(s.email, s.name) for s in active_staff()]
    return _act(reference, form, lambda f: actions.assign_owner(
        reference, f.owner.data, actor=current_user, minutes=f.minutes.data, expected_version=f.seen_version),
        _("Owner assigned; the customer has been told who is responsible."))


@blueprint.route("/<reference>/updates", methods=["POST"])
@login_required
def update(reference: str):
    form = UpdateForm(prefix="update")
    message = _("Update sent to the customer.") if form.public.data else _("Internal note added.")
    return _act(reference, form, lambda f: actions.post_update(
        reference, f.message.data, public=bool(f.public.data), actor=current_user, minutes=f.minutes.data, expected_version=f.seen_version), message)


@blueprint.route("/<reference>/commit", methods=["POST"])
@login_required
def commit(reference: str):
    return _act(reference, CommitActionForm(prefix="commit"), lambda f: actions.commit_action(
        reference, f.action.data, f.due_on.data, actor=current_user, minutes=f.minutes.data, expected_version=f.seen_version),
        _("Action committed; the customer has been told."))


@blueprint.route("/<reference>/resolve", methods=["POST"])
@login_required
def resolve(reference: str):
    form = ResolveForm(prefix="resolve")
    form.root_cause.choices = [(rc.code, rc.name) for rc in actions.active_root_causes()]
    return _act(reference, form, lambda f: actions.resolve(
        reference, f.resolution.data, f.root_cause.data, actor=current_user, minutes=f.minutes.data, expected_version=f.seen_version),
        _("Complaint resolved."))


@blueprint.route("/<reference>/reopen", methods=["POST"])
@login_required
def reopen(reference: str):
    return _act(reference, ReopenForm(prefix="reopen"), lambda f: actions.reopen(
        reference, f.reason.data, actor=current_user, minutes=f.minutes.data, expected_version=f.seen_version), _("Complaint reopened."))


@blueprint.route("/<reference>/close", methods=["POST"])
@login_required
def close(reference: str):
    return _act(reference, CloseForm(prefix="close"), lambda f: actions.close(
        reference, actor=current_user, minutes=f.minutes.data, expected_version=f.seen_version), _("Complaint closed."))


@blueprint.route("/<reference>/priority", methods=["POST"])
@login_required
def priority(reference: str):
    return _act(reference, PriorityForm(prefix="priority"), lambda f: actions.change_priority(
        reference, f.priority.data, actor=current_user, minutes=f.minutes.data, expected_version=f.seen_version),
        _("Priority changed; due dates recalculated."))


@blueprint.route("/<reference>/attachments/<int:attachment_id>")
@login_required
def attachment(reference: str, attachment_id: int):
    try:
        complaint = queries.get_visible_complaint(reference, current_user)
    except NotFound:
        abort(404)
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.complaint_id != complaint.id:
        abort(404)
    return send_attachment(found)
