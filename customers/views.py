"""Staff pages of the customer file: list, customer, organisation, quarterly review, erasure
proposals, priority rules, greeting tasks. Thin: form → one service call → flash/redirect."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from customers import interactions, privacy, queries, records
from customers.countries import country_choices, country_name
from customers.forms import CustomerForm, EraseForm, InteractionForm, OrganisationForm, TransitionReasonForm
from customers.models import ABC_CLASSES, CATEGORIES, STAGES, CustomerTask
from customers.jobs import RECOMPUTE_SEGMENTS
from customers.segments import DIMENSION_LABELS, SEGMENT_LABELS, describe_transition, segment_label, treatment
from customers.timeline import complaint_summaries, customer_timeline
from customers.validation import clean_customer
from extensions import db
from platform_support.clock import utcnow
from platform_support.errors import NotFound, ServiceError
from platform_support.forms import EmptyForm
from platform_support.job_requests import latest_request, request_job
from staff.auth import role_required
from staff.services import active_staff

blueprint = Blueprint("customers", __name__, url_prefix="/staff/customers")



@blueprint.app_context_processor
def segment_helpers():
    return {"segment_label": segment_label, "SEGMENT_LABELS": SEGMENT_LABELS, "DIMENSION_LABELS": DIMENSION_LABELS,
            "segments_for": queries.segments_for}


def _flash_form_errors(form) -> None:
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


def _flash_service_error(exc: ServiceError, form=None) -> None:
    """Every refusal at once: the summary, and each message beside its field when the form has it."""
    db.session.rollback()
    flash(exc.message, "error")
    for name, messages in exc.fields.items():
        field = getattr(form, name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors or []) + list(messages)
            label = field.label.text
        else:
            label = name
        for message in messages:
            flash(f"{label}: {message}", "error")


@blueprint.route("/")
@login_required
def index():
    args = request.args
    filters = queries.ListFilter(q=args.get("q", "")[:200], abc=args.get("abc") if args.get("abc") in ABC_CLASSES else None,
                                 category=args.get("category") if args.get("category") in CATEGORIES else None,
                                 stage=args.get("stage") if args.get("stage") in STAGES else None)
    rows, next_cursor = queries.customer_page(filters, cursor=args.get("cursor"))
    next_url = url_for(".index", **{**{k: v for k, v in args.items() if k != "cursor"}, "cursor": next_cursor}) \
        if next_cursor else None
    return render_template("customers/list.html", rows=rows, filters=filters, next_url=next_url,
                           abc_classes=ABC_CLASSES, categories=CATEGORIES, stages=STAGES)


def _customer_form(customer) -> CustomerForm:
    form = CustomerForm(obj=customer, prefix="file")
    if request.method == "GET":
        form.organisation.data = customer.organisation.name if customer.organisation else ""
        form.greetings_opt_out.data = customer.greetings_opted_out_at is not None
        form.surveys_opt_out.data = customer.surveys_opted_out_at is not None
        form.account_owner.data = customer.account_owner_id or 0
    form.account_owner.choices = [(0, _("Nobody"))] + [(s.id, s.name) for s in active_staff()]
    form.country.choices = [("", _("Not set (the default country applies)"))] + country_choices(str(get_locale() or "en"))
    return form


@blueprint.route("/<int:customer_id>")
@login_required
def detail(customer_id: int):
    try:
        customer = records.get_customer(customer_id)
    except NotFound:
        abort(404)
    return _detail_page(customer)


def _detail_page(customer, *, form=None, interaction_form=None, status: int = 200):
    """The customer file; a refused `form` or `interaction_form` is shown again as typed, with
    every error beside its field (nothing typed is lost)."""
    customer_id = customer.id
    score = queries.score_for(customer_id)
    causes = queries.root_cause_names()
    transitions = [(t, describe_transition(t, causes.get(t.top_root_cause_id)))
                   for t in queries.transitions_of(customer_id)]
    treatments = [(dim, getattr(score, dim), treatment(dim, getattr(score, dim))) for dim in ("abc", "category", "stage")] \
        if score else []
    tasks = queries.open_tasks_for(None, customer_id=customer_id)
    return render_template("customers/detail.html", customer=customer, score=score, treatments=treatments,
                           transitions=transitions, timeline=customer_timeline(customer_id, viewer=current_user),
                           orders=queries.orders_of(customer_id), complaints=complaint_summaries(customer_id, viewer=current_user),
                           root_cause=causes.get(score.top_root_cause_id) if score else None, tasks=tasks,
                           form=form or _customer_form(customer),
                           interaction_form=interaction_form or InteractionForm(prefix="contact"),
                           task_form=EmptyForm(prefix="task"),
                           country_name=lambda code: country_name(code, str(get_locale() or "en"))), status


@blueprint.route("/<int:customer_id>/edit", methods=["POST"])
@login_required
def edit(customer_id: int):
    try:
        customer = records.get_customer(customer_id)
    except NotFound:
        abort(404)
    form = _customer_form(customer)
    raw = {name: getattr(form, name).data or "" for name in (
        "name", "salutation", "patronymic", "email", "phone", "organisation", "job_title", "language", "timezone",
        "country", "preferred_channel", "preferred_days", "notes")}
    raw["birthday"] = form.birthday.data
    if not form.validate_on_submit():
        # Every error at once: the form's own and the service's rules (time zone, e-mail …).
        _clean, errors = clean_customer({k: v for k, v in raw.items() if k != "birthday"})
        for name, messages in errors.items():
            field = getattr(form, name, None)
            if field is not None and not field.errors:
                field.errors = list(messages)
        _flash_form_errors(form)
        return _detail_page(customer, form=form, status=400)
    # The sensitive fields are not on an agent's form (nothing sent means nothing changed).
    manager = current_user.is_manager
    if not manager:
        raw.pop("email")
    try:
        records.update_customer(
            customer_id, raw, is_partner=form.is_partner.data if manager else None,
            disqualified=form.disqualified.data if manager else None,
            account_owner_id=form.account_owner.data or 0,
            greetings_opt_out=form.greetings_opt_out.data if manager else None,
            surveys_opt_out=form.surveys_opt_out.data if manager else None,
            preferred_hours=(form.preferred_hour_start.data, form.preferred_hour_end.data), actor=current_user,
            now=utcnow())
    except ServiceError as exc:
        _flash_service_error(exc, form)
        return _detail_page(records.get_customer(customer_id), form=form, status=exc.status_code)
    else:
        flash(_("Customer file saved."), "success")
    return redirect(url_for(".detail", customer_id=customer_id))


@blueprint.route("/<int:customer_id>/interactions", methods=["POST"])
@login_required
def log_interaction(customer_id: int):
    form = InteractionForm(prefix="contact")
    if form.validate_on_submit():
        try:
            interactions.log_interaction(customer_id, kind=form.kind.data, body=form.body.data,
                                         minutes=form.minutes.data, occurred_at=form.occurred_at.data,
                                         staff_user_id=current_user.id, now=utcnow())
        except NotFound:
            abort(404)
        except ServiceError as exc:
            _flash_service_error(exc, form)
        else:
            flash(_("Contact logged."), "success")
            return redirect(url_for(".detail", customer_id=customer_id))
    else:
        _flash_form_errors(form)
    try:
        customer = records.get_customer(customer_id)
    except NotFound:
        abort(404)
    return _detail_page(customer, interaction_form=form, status=400)


@blueprint.route("/tasks/<int:task_id>/done", methods=["POST"])
@login_required
def task_done(task_id: int):
    form = EmptyForm(prefix="task")
    task = db.session.get(CustomerTask, task_id)
    if task is None:
        abort(404)
    if form.validate_on_submit() and task.done_at is None:
        task.done_at = utcnow()
        db.session.commit()
        flash(_("Task done."), "success")
    if request.form.get("back") == "tasks":
        return redirect(url_for(".tasks"))
    return redirect(url_for(".detail", customer_id=task.customer_id))


@blueprint.route("/tasks")
@login_required
def tasks():
    mine = request.args.get("all") != "1"
    return render_template("customers/tasks.html", tasks=queries.open_tasks_for(current_user.id if mine else None),
                           mine=mine, task_form=EmptyForm(prefix="task"))


@blueprint.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@login_required
def organisation(organisation_id: int):
    organisation, contacts = queries.organisation_with_contacts(organisation_id)
    if organisation is None:
        abort(404)
    form = OrganisationForm(obj=organisation)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                records.save_organisation(organisation_id, name=form.name.data, founded_on=form.founded_on.data,
                                          notes=form.notes.data)
            except ServiceError as exc:
                _flash_service_error(exc)
            else:
                flash(_("Organisation saved."), "success")
        else:
            _flash_form_errors(form)
        return redirect(url_for(".organisation", organisation_id=organisation_id))
    return render_template("customers/organisation.html", organisation=organisation, contacts=contacts, form=form)


@blueprint.route("/review")
@login_required
def review():
    label, start, end = queries.quarter_bounds(request.args.get("quarter"), utcnow())
    causes = queries.root_cause_names()
    moves = [(t, name, describe_transition(t, causes.get(t.top_root_cause_id)))
             for t, name in queries.transitions_between(start, end)]
    return render_template("customers/review.html", label=label, previous=queries.previous_quarter(label),
                           moves=moves, effort=queries.time_vs_revenue(start, end), start=start, end=end,
                           recompute_form=EmptyForm(prefix="recompute"), reason_form=TransitionReasonForm(),
                           recompute_request=latest_request(RECOMPUTE_SEGMENTS))


@blueprint.route("/review/moves/<int:transition_id>/reason", methods=["POST"])
@login_required
def transition_reason(transition_id: int):
    form = TransitionReasonForm()
    if form.validate_on_submit():
        try:
            records.record_transition_reason(transition_id, form.reason.data, form.note.data, actor=current_user,
                                             now=utcnow())
        except NotFound:
            db.session.rollback()
            abort(404)
        except ServiceError as exc:
            db.session.rollback()
            _flash_service_error(exc)
        else:
            flash(_("Reason saved."), "success")
    else:
        _flash_form_errors(form)
    return redirect(url_for(".review", quarter=request.args.get("quarter")) + f"#move-{transition_id}")


@blueprint.route("/recompute", methods=["POST"])
@role_required("manager")
def recompute():
    """Queues a recompute for the worker (a million customers take seconds: never inside a request)."""
    if EmptyForm(prefix="recompute").validate_on_submit():
        _request, queued = request_job(RECOMPUTE_SEGMENTS, now=utcnow(), staff_user_id=current_user.id)
        if queued:
            flash(_("Recompute queued. The worker starts it within a minute; this page shows when it has finished."),
                  "success")
        else:
            flash(_("A recompute is already queued or running; it was not queued twice."), "info")
    return redirect(url_for(".review"))


# --- admin: privacy, rules --------------------------------------------------------------------------------

@blueprint.route("/erasure")
@role_required("manager")
def erasure():
    months = current_app.config["RETENTION_MONTHS"]
    return render_template("customers/erasure.html", rows=privacy.erasure_candidates(now=utcnow(), months=months),
                           months=months)


@blueprint.route("/<int:customer_id>/export.zip")
@role_required("manager")
def export(customer_id: int):
    try:
        data = privacy.export_zip(customer_id, now=utcnow())
    except NotFound:
        abort(404)
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="customer-{customer_id}.zip"',
                             "Cache-Control": "no-store"})


@blueprint.route("/<int:customer_id>/erase", methods=["GET", "POST"])
@role_required("manager")
def erase(customer_id: int):
    """The erase page: what goes (counted), a confirmation box, a reason while a complaint is open."""
    try:
        customer = records.get_customer(customer_id)
        items = privacy.preview(customer_id)
    except NotFound:
        abort(404)
    form = EraseForm(prefix="erase")
    status = 200
    if request.method == "POST" and customer.erased_at is None:
        if form.validate_on_submit():
            try:
                privacy.erase_customer(customer_id, actor=current_user, now=utcnow(), reason=form.reason.data or "",
                                       confirmed=form.confirm.data)
            except ServiceError as exc:
                db.session.rollback()
                for name, messages in exc.fields.items():
                    getattr(form, name).errors = list(messages)
                flash(exc.message, "error")
                status = 400
            else:
                flash(_("Personal data erased; orders and scores kept."), "success")
                return redirect(url_for(".detail", customer_id=customer_id))
        else:
            status = 400
        customer = records.get_customer(customer_id)
        items = privacy.preview(customer_id)
    return render_template("customers/erase.html", customer=customer, items=items,
                           blockers=privacy.blocking(items), form=form), status


@blueprint.route("/priority-rules")
@role_required("admin")
def rules():
    """The rules moved to the complaints' admin pages (they decide how a complaint starts)."""
    return redirect(url_for("complaints_admin.priority_rules"), code=301)
