"""Staff side of surveys: results, the invitations list, follow-up alerts, and the survey editor."""
from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from extensions import db
from platform_support.clock import utcnow
from platform_support.errors import NotFound, ServiceError
from platform_support.forms import EmptyForm
from surveys import alerts, answering, public_link, queries, services
from surveys.forms import (LANGUAGE_CHOICES, AlertAcknowledgeForm, AlertAssignForm, AlertCloseForm, AlertReopenForm,
                           MoveForm, NewSurveyForm, PublicLinkForm, QuestionForm, SurveyForm, answer_form)
from surveys.models import INVITATION_STATUSES, SCALES, Survey
from surveys.texts import missing_languages, text_in

blueprint = Blueprint("surveys_staff", __name__, url_prefix="/staff/surveys")
LANGUAGE_CODES = tuple(code for code, _label in LANGUAGE_CHOICES)


INVITATION_STATUS_LABELS = {
    "scheduled": _l("scheduled"), "sending": _l("being sent"), "sent": _l("sent"), "answered": _l("answered"),
    "expired": _l("expired"), "capped": _l("capped"), "opted_out": _l("opted out"), "cancelled": _l("cancelled"),
}


def alert_reason_label(reason: str) -> str:
    kind, _sep, value = reason.partition(":")
    if kind == "nps":
        return _("detractor (NPS %(score)s)", score=value)
    if kind == "csat":
        return _("dissatisfied (CSAT %(score)s)", score=value)
    return _("negative comment")


@blueprint.context_processor
def survey_labels():
    return {"invitation_status_labels": INVITATION_STATUS_LABELS, "alert_reason_label": alert_reason_label}


@blueprint.app_template_global("survey_responses_for_customer")
def survey_responses_for_customer(customer_id: int):
    """For the customer file: `{% with survey_responses = survey_responses_for_customer(customer.id) %}
    {% include "surveys/_responses.html" %}{% endwith %}` (customers never imports surveys)."""
    return queries.responses_for_customer(customer_id, viewer=current_user)


@blueprint.app_template_global("survey_responses_for_complaint")
def survey_responses_for_complaint(complaint_id: int):
    return queries.responses_for_complaint(complaint_id)


def _run(perform, success: str, form=None):
    """Validate, call one service function, flash. Returns True on success."""
    if form is not None and not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return False
    try:
        perform()
    except NotFound:
        db.session.rollback()
        abort(404)
    except ServiceError as exc:
        db.session.rollback()
        details = "; ".join(m for messages in exc.fields.values() for m in messages)
        flash(exc.message + (f" ({details})" if details and details != exc.message else ""), "error")
        return False
    flash(success, "success")
    return True


@blueprint.route("/")
@login_required
def index():
    return render_template("surveys/staff/index.html", surveys=queries.all_surveys(), new_form=NewSurveyForm(),
                           counts=queries.invitation_counts(current_user))


@blueprint.route("/", methods=["POST"])
@login_required
def create():
    form = NewSurveyForm()
    holder = {}
    ok = _run(lambda: holder.update(survey=services.create_survey(
        form.code.data, form.kind.data, form.title.data, actor=current_user, now=utcnow())), _("Survey created."), form)
    if ok:
        return redirect(url_for("surveys_staff.edit", survey_id=holder["survey"].id))
    return redirect(url_for("surveys_staff.index"))


@blueprint.route("/<int:survey_id>/results")
@login_required
def results(survey_id: int):
    try:
        result = queries.survey_results(survey_id, actor=current_user)
    except NotFound:
        abort(404)
    return render_template("surveys/staff/results.html", result=result)


@blueprint.route("/<int:survey_id>/edit", methods=["GET", "POST"])
@login_required
def edit(survey_id: int):
    survey = _managed_survey(survey_id)
    language = _builder_language(request.values.get("language"))
    form = SurveyForm(language=language)
    if request.method == "POST":
        if _run(lambda: services.update_survey(survey_id, language=form.language.data, title=form.title.data,
                                               intro=form.intro.data, active=form.active.data, actor=current_user,
                                               now=utcnow()), _("Survey saved."), form):
            return redirect(url_for("surveys_staff.edit", survey_id=survey_id, language=form.language.data))
    else:
        # Prefilled with what customers read in this language: the stored text, or the shipped
        # translation of a default text (saving stores it, so it can be edited).
        title, source = text_in(survey.title, language)
        form.title.data = title if language == "en" or source != "english" else ""
        intro, source = text_in(survey.intro, language)
        form.intro.data = intro if language == "en" or source != "english" else ""
        form.active.data = survey.active
    scale_questions = [q for q in survey.questions if q.qtype in SCALES and not q.retired]
    question_forms = []
    for question in survey.questions:
        text, source = text_in(question.text, language)
        labels = [(c["value"], text_in(c.get("label"), language)) for c in question.choices]
        rule = question.show_if or {}
        qform = QuestionForm(prefix=f"q{question.id}", formdata=None, qtype=question.qtype, language=language,
                             text=text if language == "en" or source != "english" else "", required=question.required,
                             choices="\n".join(f"{value}={label if language == 'en' or src != 'english' else ''}"
                                               for value, (label, src) in labels),
                             show_if_question=str(rule.get("question") or ""), show_if_min=rule.get("min"),
                             show_if_max=rule.get("max"))
        qform.show_if_question.choices = [("", "—")] + [
            (str(q.id), f"{n}. {text_in(q.text, language)[0][:60]}") for n, q in enumerate(survey.questions, start=1)
            if q in scale_questions and q.position < question.position]
        question_forms.append((question, qform, source))
    new_question = QuestionForm(prefix="new", language=language)
    new_question.show_if_question.choices = [("", "—")] + [
        (str(q.id), f"{n}. {text_in(q.text, language)[0][:60]}") for n, q in enumerate(survey.questions, start=1)
        if q in scale_questions]
    return render_template("surveys/staff/edit.html", survey=survey, form=form, language=language,
                           question_forms=question_forms, new_question=new_question, move_form=MoveForm(),
                           remove_form=EmptyForm(), english={"title": text_in(survey.title, "en")[0]},
                           title_source=text_in(survey.title, language)[1],
                           missing=missing_languages(survey, LANGUAGE_CODES),
                           public_form=PublicLinkForm(enabled=survey.public_token is not None,
                                                      anonymous=survey.public_anonymous),
                           public_url=_public_url(survey))


def _public_url(survey) -> str | None:
    if survey.public_token is None:
        return None
    return current_app.config["BASE_URL"].rstrip("/") + url_for("surveys_public.open_survey",
                                                                 public_token=survey.public_token)


@blueprint.route("/<int:survey_id>/public-link", methods=["POST"])
@login_required
def public_link_settings(survey_id: int):
    form = PublicLinkForm()
    _run(lambda: public_link.set_public_link(survey_id, enabled=form.enabled.data, anonymous=form.anonymous.data,
                                             actor=current_user, now=utcnow()), _("Public link saved."), form)
    return redirect(url_for("surveys_staff.edit", survey_id=survey_id) + "#public-link")


@blueprint.route("/<int:survey_id>/qr.svg")
@login_required
def public_qr(survey_id: int):
    """The public link as a QR code to print (SVG: sharp at any size)."""
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.public_token is None:
        abort(404)
    svg = public_link.qr_svg(_public_url(survey), text_in(survey.title, "en")[0])
    response = current_app.response_class(svg, mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'inline; filename="survey-{survey.code}-qr.svg"'
    return response


@blueprint.route("/<int:survey_id>/preview")
@login_required
def preview(survey_id: int):
    """The customer's page of this survey in one language, answers not saved (builder)."""
    survey = _managed_survey(survey_id)
    language = _builder_language(request.args.get("language"))
    questions = [q for q in survey.questions if not q.retired]
    page = answering.SurveyPage(SimpleNamespace(survey=survey, complaint=None), "open", language, questions)
    with force_locale(language):
        form = answer_form(questions, language)
        body = render_template("surveys/public/survey.html", page=page, form=form, preview=True, token="preview")
    return body


def _question_form_from_request() -> QuestionForm:
    prefix = request.form.get("prefix", "new")
    return QuestionForm(prefix=prefix if prefix.replace("q", "").isdigit() or prefix == "new" else "new")


@blueprint.route("/<int:survey_id>/questions", methods=["POST"])
@blueprint.route("/<int:survey_id>/questions/<int:question_id>", methods=["POST"])
@login_required
def save_question(survey_id: int, question_id: int | None = None):
    form = _question_form_from_request()
    _run(lambda: services.save_question(survey_id, question_id, qtype=form.qtype.data, language=form.language.data,
                                        text=form.text.data, choices=form.choices.data, required=form.required.data,
                                        show_if_question=form.show_if_question.data, show_if_min=form.show_if_min.data,
                                        show_if_max=form.show_if_max.data, actor=current_user, now=utcnow()),
         _("Question saved."), form)
    return redirect(url_for("surveys_staff.edit", survey_id=survey_id, language=form.language.data or "en"))


@blueprint.route("/<int:survey_id>/questions/<int:question_id>/move", methods=["POST"])
@login_required
def move_question(survey_id: int, question_id: int):
    form = MoveForm()
    _run(lambda: services.move_question(question_id, form.direction.data, actor=current_user, now=utcnow()),
         _("Question moved."), form)
    return redirect(url_for("surveys_staff.edit", survey_id=survey_id))


@blueprint.route("/<int:survey_id>/questions/<int:question_id>/remove", methods=["POST"])
@login_required
def remove_question(survey_id: int, question_id: int):
    _run(lambda: services.remove_question(question_id, actor=current_user, now=utcnow()), _("Question removed."), EmptyForm())
    return redirect(url_for("surveys_staff.edit", survey_id=survey_id))


@blueprint.route("/invitations")
@login_required
def invitations():
    status = request.args.get("status") or None
    rows, next_cursor = queries.invitations_page(actor=current_user, status=status, cursor=request.args.get("cursor"))
    next_url = url_for("surveys_staff.invitations", status=status, cursor=next_cursor) if next_cursor else None
    return render_template("surveys/staff/invitations.html", invitations=rows, status=status, next_url=next_url,
                           statuses=INVITATION_STATUSES, counts=queries.invitation_counts(current_user))


def _assign_form() -> AlertAssignForm:
    form = AlertAssignForm()
    form.owner.choices = [(person.id, person.name) for person in queries.active_staff()]
    return form


@blueprint.route("/alerts")
@login_required
def alert_list():
    status = request.args.get("status") or "open"
    return render_template("surveys/staff/alerts.html", alerts=alerts.visible_alerts(current_user, status=status),
                           status=status, close_form=AlertCloseForm(), reopen_form=AlertReopenForm(),
                           assign_form=_assign_form(), acknowledge_form=AlertAcknowledgeForm(),
                           loops=alerts.loop_times(current_user, now=utcnow()))


@blueprint.route("/alerts/<int:alert_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge_alert(alert_id: int):
    _run(lambda: alerts.acknowledge_alert(alert_id, actor=current_user, now=utcnow()), _("Task acknowledged."),
         AlertAcknowledgeForm())
    return redirect(url_for("surveys_staff.alert_list") + f"#alert-{alert_id}")


@blueprint.route("/alerts/<int:alert_id>/assign", methods=["POST"])
@login_required
def assign_alert(alert_id: int):
    form = _assign_form()
    _run(lambda: alerts.assign_alert(alert_id, form.owner.data, actor=current_user, now=utcnow()), _("Task assigned."),
         form)
    return redirect(url_for("surveys_staff.alert_list"))


@blueprint.route("/alerts/<int:alert_id>/close", methods=["POST"])
@login_required
def close_alert(alert_id: int):
    form = AlertCloseForm()
    _run(lambda: alerts.close_alert(alert_id, form.outcome.data, form.note.data, actor=current_user, now=utcnow()),
         _("Task closed."), form)
    return redirect(url_for("surveys_staff.alert_list"))


@blueprint.route("/alerts/<int:alert_id>/reopen", methods=["POST"])
@login_required
def reopen_complaint(alert_id: int):
    form = AlertReopenForm()
    _run(lambda: alerts.reopen_complaint_from_alert(alert_id, form.reason.data, actor=current_user, now=utcnow()),
         _("Complaint reopened."), form)
    return redirect(url_for("surveys_staff.alert_list"))


def _managed_survey(survey_id: int):
    """The survey a manager edits or previews (403 for others, 404 for none)."""
    if not current_user.is_manager:
        abort(403)
    try:
        return services.get_survey(survey_id)
    except NotFound:
        abort(404)


def _builder_language(value: str | None) -> str:
    return value if value in LANGUAGE_CODES else "en"
