"""Staff side: the queue, the complaint page and one POST route per lifecycle action."""
from __future__ import annotations

import secrets
from urllib.parse import unquote

import pytz
from flask import (Blueprint, abort, current_app, flash, g, jsonify, make_response, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from complaints import (actions, bulk, canned, classification, filing, presence, queries, saved_views, staging, tasks,
                        workspace)
from complaints.changes import preview_customer_email
from complaints.forms import (AssignForm, BulkForm, CallForm, CloseForm, CommitActionForm, FactForm, PriorityForm,
                              ReopenForm, ResolveForm, SaveViewForm, StaffComplaintForm, UpdateForm)
from complaints.labels import CHANNEL_LABELS, EVENT_LABELS, TASK_TOPICS
from complaints.lifecycle import PRIORITIES, PRIORITY_LABELS, STATE_LABELS, STATES, allowed_actions
from complaints.models import Attachment, Complaint
from complaints.uploads import Upload
from complaints.public_views import send_attachment
from notifications.views import outbox_status_labels
from extensions import db
from platform_support.clock import utcnow
from platform_support.errors import NotFound, PermissionDenied, ServiceError
from platform_support.parsing import bounded_int
from platform_support.forms import EmptyForm
from staff.services import active_staff

blueprint = Blueprint("complaints_staff", __name__, url_prefix="/staff/complaints")


@blueprint.app_context_processor
def complaint_labels():
    return {"STATE_LABELS": STATE_LABELS, "PRIORITY_LABELS": PRIORITY_LABELS, "CHANNEL_LABELS": CHANNEL_LABELS,
            "event_labels": EVENT_LABELS}


def _filters_from_request(owner_default: str | None = None) -> queries.QueueFilter:
    args = request.args
    q = (args.get("q") or "").strip()[:500] or None
    # A search looks through every state unless a state is chosen.
    status = args.get("status") or ("all" if q else None)
    return queries.QueueFilter(status=status, owner=args.get("owner") or owner_default,
                               priority=args.get("priority") or None, overdue=args.get("overdue") == "1",
                               q=q, sort=args.get("sort") or None,
                               category=args.get("category") or None, tag=args.get("tag") or None,
                               field=args.get("field") or None, field_value=args.get("field_value") or None)


@blueprint.route("/")
@login_required
def queue():
    view = None
    view_id = bounded_int(request.args.get("view"), minimum=1)
    if view_id is not None:
        try:
            view = saved_views.get_view(view_id, current_user)
        except NotFound:
            abort(404)
    filters = saved_views.view_filter(view) if view is not None else _filters_from_request()
    return _queue_page(filters, title=view.name if view is not None else _("Complaint queue"), view=view)


@blueprint.route("/mine")
@login_required
def mine():
    return _queue_page(_filters_from_request(owner_default="me"), title=_("My complaints"),
                       call_tasks=tasks.open_tasks_of_owner(current_user))


def _filter_args(filters: queries.QueueFilter) -> dict:
    """The query string of a view (what links to another page or sort of it carry)."""
    args = {"status": filters.status, "owner": filters.owner, "priority": filters.priority,
            "overdue": "1" if filters.overdue else None, "q": filters.q, "sort": filters.sort,
            "category": filters.category, "tag": filters.tag, "field": filters.field, "field_value": filters.field_value}
    return {k: v for k, v in args.items() if v}


def _queue_page(filters: queries.QueueFilter, *, title: str, view=None, bulk_form=None, status: int = 200,
                call_tasks=None):
    now = utcnow()
    sort = queries.effective_sort(filters)
    try:
        complaints, next_cursor, total, capped = queries.queue_page_with_total(
            current_user, filters, now=now, cursor=request.args.get("cursor"))
    except ServiceError as exc:
        flash(exc.message, "error")
        complaints, next_cursor, status = [], None, 400
        total, capped = queries.count_matching(current_user, filters, now=now)
    endpoint = request.endpoint if request.endpoint in ("complaints_staff.queue", "complaints_staff.mine") else "complaints_staff.queue"
    base_args = {"view": view.id} if view is not None else _filter_args(filters)
    next_url = url_for(endpoint, **base_args, cursor=next_cursor) if next_cursor else None
    views = saved_views.views_for(current_user)
    save_form = SaveViewForm(prefix="view", formdata=None, **_filter_args(filters))
    return render_template(
        "complaints/staff/queue.html", complaints=complaints, next_url=next_url, filters=filters, sort=sort,
        sort_labels=queries.SORT_LABELS, filter_args=_filter_args(filters), endpoint=endpoint,
        total=total, total_capped=capped, views=views, view_counts=saved_views.view_counts(views, current_user, now=now),
        current_view=view, save_form=save_form, bulk_form=bulk_form or _bulk_form(),
        counts=queries.counts_by_status(current_user, only_mine=filters.owner == "me"), now=now, title=title,
        states=STATES, priorities=PRIORITIES, staff=active_staff(), categories=classification.all_categories(),
        call_tasks=call_tasks, task_form=EmptyForm(), task_topics=TASK_TOPICS,
        state_names={k: str(v) for k, v in STATE_LABELS.items()},
        priority_names={k: str(v) for k, v in PRIORITY_LABELS.items()}), status


def _bulk_form(formdata=None) -> BulkForm:
    form = BulkForm(prefix="bulk", formdata=formdata)
    form.action.choices = [("", _("Choose…"))] + [(k, str(v)) for k, v in bulk.BULK_ACTIONS.items()]
    people = active_staff() if current_user.is_manager else [current_user]
    form.owner.choices = [("", "—")] + [(s.email, s.name) for s in people]
    form.root_cause.choices = [("", "—")] + [(rc.code, rc.name) for rc in actions.active_root_causes()]
    return form


@blueprint.route("/views", methods=["POST"])
@login_required
def save_view():
    form = SaveViewForm(prefix="view")
    filters = queries.QueueFilter(status=form.status.data or None, owner=form.owner.data or None,
                                  priority=form.priority.data or None, overdue=form.overdue.data == "1",
                                  q=form.q.data or None, sort=form.sort.data or None,
                                  category=form.category.data or None, tag=form.tag.data or None,
                                  field=form.field.data or None, field_value=form.field_value.data or None)
    if not form.validate_on_submit():
        flash(_("Give the view a name."), "error")
        return redirect(url_for("complaints_staff.queue", **_filter_args(filters)))
    try:
        view = saved_views.save_view(form.name.data, filters, actor=current_user, shared=bool(form.shared.data))
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("complaints_staff.queue", **_filter_args(filters)))
    flash(_("View saved."), "success")
    return redirect(url_for("complaints_staff.queue", view=view.id))


@blueprint.route("/views/<int:view_id>/delete", methods=["POST"])
@login_required
def delete_view(view_id: int):
    try:  # CSRF: checked for every POST by CSRFProtect (factory)
        saved_views.delete_view(view_id, actor=current_user)
    except NotFound:
        abort(404)
    except PermissionDenied as exc:
        flash(exc.message, "error")
        return redirect(url_for("complaints_staff.queue", view=view_id))
    flash(_("View removed."), "success")
    return redirect(url_for("complaints_staff.queue"))


@blueprint.route("/bulk", methods=["POST"])
@login_required
def bulk_action():
    """Step one shows what will happen to which complaints and asks to confirm; step two (the
    same form, `confirmed`) applies it in one transaction or not at all."""
    form = _bulk_form(request.form)
    selection = bulk.parse_selection(request.form.getlist("complaints"))
    back = url_for("complaints_staff.queue")
    if not form.validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(back)
    params = dict(owner=form.owner.data or "", priority=form.priority.data or "", root_cause=form.root_cause.data or "",
                  resolution=form.resolution.data or "")
    try:
        if form.confirmed.data != "1":
            cleaned = bulk.check_bulk(form.action.data, selection, **params)
            chosen = queries.visible_to(current_user).where(Complaint.reference.in_([r for r, _v in selection]))
            listed = list(db.session.scalars(chosen.order_by(Complaint.reference)))
            return render_template("complaints/staff/bulk_confirm.html", form=form, selection=selection,
                                   complaints=listed, cleaned=cleaned, action_label=bulk.BULK_ACTIONS[form.action.data])
        changed = bulk.apply_bulk(form.action.data, selection, actor=current_user, **params)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back), 303
    flash(ngettext("%(num)d complaint changed.", "%(num)d complaints changed.", changed), "success")
    return redirect(back)


@blueprint.route("/new", methods=["GET", "POST"])
@login_required
def file_for_customer():
    """A complaint taken by phone or at the counter, filed through the same checks and filing as
    the public form (channel 'phone' or 'visit'; the address counts as confirmed)."""
    form = StaffComplaintForm()
    if request.method == "POST" and form.validate_on_submit():
        new = filing.NewComplaint(
            name=form.name.data or "", email=form.email.data or "", description=form.description.data or "",
            subject=form.subject.data or "", order_reference=form.order_reference.data or "",
            occurred_on=form.occurred_on.data, desired_outcome=form.desired_outcome.data or "",
            phone=form.phone.data or "", preferred_channel=form.preferred_channel.data, language=form.language.data)
        key = form.submission_key.data if form.submission_key.data and len(form.submission_key.data) <= 64 else None
        try:
            filed = filing.file_complaint(new, channel=form.channel.data,
                                          submission_key=f"staff:{current_user.id}:{key}" if key else None)
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            for name, messages in exc.fields.items():
                if hasattr(form, name):
                    getattr(form, name).errors = list(messages)
        else:
            flash(_("Complaint %(reference)s filed; the customer has been sent the acknowledgement.",
                    reference=filed.reference), "success")
            return redirect(url_for("complaints_staff.detail", reference=filed.reference))
        status = 400
    else:
        status = 400 if request.method == "POST" else 200
        if request.method == "GET":
            form.submission_key.data = secrets.token_urlsafe(24)
    return render_template("complaints/staff/file_for_customer.html", form=form), status


@blueprint.route("/<reference>/calls", methods=["GET", "POST"])
@login_required
def log_call(reference: str):
    try:
        complaint = queries.get_visible_complaint(reference, current_user)
    except NotFound:
        abort(404)
    form = CallForm(prefix="call")
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                actions.log_call(reference, form.summary.data, direction=form.direction.data, channel=form.channel.data,
                                 actor=current_user, minutes=form.minutes.data, expected_version=form.seen_version)
            except NotFound:
                abort(404)
            except ServiceError as exc:
                db.session.rollback()
                status = exc.status_code
                flash(exc.message, "error")
            else:
                flash(_("Call logged."), "success")
                return redirect(url_for("complaints_staff.detail", reference=reference))
            complaint = queries.get_visible_complaint(reference, current_user)
    else:
        form.version.data = str(complaint.version)
    return render_template("complaints/staff/log_call.html", form=form, complaint=complaint), status


FORM_NAMES = {"fact": "fact_form", "assign": "assign_form", "update": "update_form", "commit": "commit_form",
              "resolve": "resolve_form", "reopen": "reopen_form", "close": "close_form", "priority": "priority_form"}
ORDER_COOKIE = "thread_order"  # the viewer's choice of oldest/newest first, remembered
ZONE_COOKIE = "staff_tz"  # the viewer's IANA time zone, set by static/js/workspace.js


def _viewer_timezone() -> None:
    """Dates on the complaint page in the viewer's own zone (their browser tells it, see ZONE_COOKIE)."""
    name = unquote(request.cookies.get(ZONE_COOKIE, ""))[:64]  # the script writes it URL-encoded (Europe%2FWarsaw)
    g.timezone = name if name in pytz.all_timezones_set else "UTC"


def _thread_order() -> str:
    order = request.args.get("order") or request.cookies.get(ORDER_COOKIE)
    return order if order in workspace.ORDERS else "oldest"


def _page_forms(complaint, submitted=None):
    """Every action form of the page, each carrying the complaint's current version; `submitted`
    (a refused form) is shown again with what was typed and its errors."""
    assign = AssignForm(prefix="assign", owner=complaint.owner.email if complaint.owner else None)
    staff = active_staff() if current_user.is_manager else [current_user]
    assign.owner.choices = [(s.email, s.name) for s in staff]
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
    composer = forms["update_form"]
    if staging.staff_key(current_user.id, composer.staging_key.data) is None:
        composer.staging_key.data = secrets.token_urlsafe(32)
    return forms


def _composer_files(form, submitted) -> dict:
    """The files a refused composer submission kept (staging); only read when the composer itself
    was refused, so an ordinary page view reads nothing of them."""
    if not isinstance(submitted, UpdateForm):
        return {"composer_staged": []}
    return {"composer_staged": staging.staged_for(staging.staff_key(current_user.id, form.staging_key.data))}


def _keep_composer_files(key: str | None, fresh: list[Upload]) -> list[str]:
    """After a refusal (or for the page's preview without JavaScript): the files left unticked go,
    the acceptable new ones are kept; returns the names of those that could not be kept."""
    if staging.may_have_staged(request.form):
        staging.drop_unticked(key, staging.kept_ids(request.form))
    return staging.stage(key, fresh, now=utcnow())


def _detail_page(complaint, submitted=None, status: int = 200, preview=None, **extra):
    """`extra`: more for the page's blocks (classification_typed: the classification block as typed)."""
    _viewer_timezone()
    now = utcnow()
    order = _thread_order()
    forms = _page_forms(complaint, submitted)
    composer = forms["update_form"]
    if submitted is None and request.method == "GET" and request.args.get("canned"):
        # Without JavaScript the canned-response picker is a GET form: the page comes back with the
        # text filled in (with JavaScript, the same text arrives from `canned_text`).
        try:
            chosen = canned.get_usable(bounded_int(request.args.get("canned"), minimum=1), current_user)
        except NotFound:
            flash(_("No such canned response."), "error")
        else:
            composer.message.data = canned.fill(chosen, complaint, actor=current_user)
    before, after = workspace.queue_neighbours(complaint, current_user)
    extra = {**_composer_files(composer, submitted), **extra}
    body = render_template(
        "complaints/staff/detail.html", complaint=complaint, now=now, actions=allowed_actions(complaint.status),
        entries=workspace.thread(complaint, order=order), order=order, stamp=workspace.stamper(), mail_status=outbox_status_labels(),
        card=workspace.customer_card(complaint, current_user), previous_ref=before, next_ref=after,
        canned_responses=canned.usable_by(current_user, complaint.language), 
        others=presence.others(complaint.id, current_user.id, now=now), poll_seconds=presence.POLL_SECONDS,
        preview=preview, viewer_zone=g.timezone, filed_through=workspace.channel_of_filing(complaint),
        categories=classification.all_categories(),
        call_tasks=tasks.tasks_of(complaint), task_form=EmptyForm(), task_topics=TASK_TOPICS, **forms, **extra)
    response = make_response(body, status)
    if request.args.get("order") in workspace.ORDERS:
        response.set_cookie(ORDER_COOKIE, order, max_age=365 * 24 * 3600, path="/staff", samesite="Lax",
                            secure=request.is_secure, httponly=True)
    return response


@blueprint.route("/<reference>/tasks/<int:task_id>", methods=["POST"])
@login_required
def task_done(reference: str, task_id: int):
    """The owner marks a call made (done=1) or not yet made (done=0); back to where they were."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        task = tasks.set_done(task_id, request.form.get("done") == "1", actor=current_user, reference=reference)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    else:
        flash(_("Call marked as made.") if task.done_at else _("Call marked as still to make."), "success")
    back = url_for("complaints_staff.mine") if request.form.get("back") == "mine" else None
    return redirect(back or url_for("complaints_staff.detail", reference=reference))


@blueprint.route("/<reference>")
@login_required
def detail(reference: str):
    try:
        complaint = queries.get_visible_complaint(reference, current_user)
    except NotFound:
        abort(404)
    return _detail_page(complaint)


def _act(reference: str, form, perform, success: str, *, refused=None, done=None):
    """Validate the form, run one service call, then go back to the complaint. A refused action
    shows the page again with what was typed and every error at once (nothing typed is lost);
    a conflict (someone changed the complaint meanwhile) says what changed, with a 409.
    `refused()` runs after a refusal's rollback and returns more for the page (the composer keeps
    its files); `done()` after the success."""
    status = 400
    extra = {}
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
                if name == "text" and hasattr(form, "message"):
                    name = "message"  # a fact written in the composer
                if hasattr(form, name):
                    getattr(form, name).errors = list(getattr(form, name).errors or []) + list(messages)
        else:
            if done is not None:
                done()
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
    if refused is not None:
        extra = refused() or {}
    return _detail_page(complaint, form, status, **extra)


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


def _uploads_from(field) -> list[Upload]:
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    return [Upload(filename=f.filename, content=f.stream.read(limit + 1)) for f in (field.data or []) if f and f.filename]


@blueprint.route("/<reference>/updates", methods=["POST"])
@login_required
def update(reference: str):
    """The composer: a reply to the customer, an internal note or a fact (its `mode`)."""
    form = UpdateForm(prefix="update")
    mode = form.mode.data if form.mode.data in ("reply", "note", "fact") else "note"
    if mode == "fact":
        return _act(reference, form, lambda f: actions.record_fact(
            reference, f.message.data, actor=current_user, minutes=f.minutes.data, expected_version=f.seen_version),
            _("Fact recorded."))
    wait = mode == "reply" and bool(form.wait_for_customer.data)
    message = _("Reply sent to the customer.") if mode == "reply" else _("Internal note added.")
    if wait:
        message = _("Reply sent to the customer; the complaint waits for their answer.")
    # Files chosen now, and those kept from a refused attempt (complaints/staging.py): a refusal
    # keeps the acceptable ones for the next try and names the others; the text is shown as typed.
    key = staging.staff_key(current_user.id, form.staging_key.data)
    fresh = _uploads_from(form.attachments)
    had_staged = staging.may_have_staged(request.form)

    def post(f):
        kept = staging.take(key, staging.kept_ids(request.form)) if had_staged else []
        actions.post_update(reference, f.message.data, public=mode == "reply", actor=current_user, minutes=f.minutes.data,
                            expected_version=f.seen_version, attachments=kept + fresh, wait_for_customer=wait)

    def keep_files():
        return {"composer_not_kept": _keep_composer_files(key, fresh)}

    def drop_staged():
        if had_staged:
            staging.discard(key)
            db.session.commit()

    return _act(reference, form, post, message, refused=keep_files, done=drop_staged)


@blueprint.route("/<reference>/preview", methods=["POST"])
@login_required
def preview(reference: str):
    """The e-mail the customer would get for the composer's text, rendered by the code that renders
    the real one (JSON for the page's script; without it, the page again with the preview)."""
    form = UpdateForm(prefix="update")
    try:
        complaint = queries.get_visible_complaint(reference, current_user)
    except NotFound:
        abort(404)
    json_wanted = request.accept_mimetypes.best == "application/json"
    key = staging.staff_key(current_user.id, form.staging_key.data)
    # Without JavaScript the page comes back (with the preview): the chosen files are kept for the send.
    not_kept = [] if json_wanted else _keep_composer_files(key, _uploads_from(form.attachments))
    if not form.validate_on_submit():
        if json_wanted:
            return jsonify(error=_("Write the reply first.")), 400
        return _detail_page(complaint, form, 400, composer_not_kept=not_kept)
    g.audit_recorded = True  # a preview changes nothing
    staged = [] if json_wanted else staging.staged_for(key)
    names = ([f.original_name for f in staged]
             or [name[:255] for name in request.form.getlist("preview_attachment")[:20]])  # the script sends names only
    rendered = preview_customer_email(complaint, "complaint_progress_update", context={
        "message": form.message.data.strip(), "author": current_user, "attachment_names": names,
        "waiting": bool(form.wait_for_customer.data)})
    if json_wanted:
        return jsonify(subject=rendered.subject, text=rendered.text_body, to=complaint.contact_email)
    form.mode.data = "reply"
    return _detail_page(complaint, form, 200, preview=rendered, composer_not_kept=not_kept)


@blueprint.route("/<reference>/canned/<int:canned_id>")
@login_required
def canned_text(reference: str, canned_id: int):
    """A canned response filled in for this complaint (plain text, as JSON)."""
    try:
        complaint = queries.get_visible_complaint(reference, current_user)
        chosen = canned.get_usable(canned_id, current_user)
    except NotFound:
        abort(404)
    return jsonify(text=canned.fill(chosen, complaint, actor=current_user), language=chosen.language)


@blueprint.route("/<reference>/presence", methods=["POST"])
@login_required
def presence_report(reference: str):
    """The page's heartbeat: I am here (and typing, if so); who else is, and the current version."""
    try:
        complaint = queries.get_visible_complaint(reference, current_user)
    except NotFound:
        abort(404)
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}
    now = utcnow()
    if payload.get("leaving") is True:
        presence.leave(complaint.id, current_user.id)
    else:
        presence.report(complaint.id, current_user.id, typing=payload.get("typing") is True, now=now)
    presence.purge(now)
    db.session.commit()
    g.audit_recorded = True  # a heartbeat every few seconds is not a staff action for the audit log
    viewers = presence.others(complaint.id, current_user.id, now=now)
    return jsonify(version=complaint.version, others=[{"name": v.name, "typing": v.typing} for v in viewers])


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
