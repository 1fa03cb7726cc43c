"""Customer side, no login: the survey page behind an e-mailed link, and unsubscribing.

GET shows (and notes the click); only POST records answers. Every page is private:
`Cache-Control: no-store` and `Referrer-Policy: no-referrer` (the token is in the URL).
"""
from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import get_locale, refresh

from extensions import csrf, db, limiter
from platform_support.clock import utcnow
from platform_support.database import write_intent
from platform_support.errors import NotFound, ServiceError
from surveys import answering, public_link
from surveys.defaults import SCALE_LABELS
from surveys.forms import UnsubscribeForm, answer_form
from surveys.texts import localized

blueprint = Blueprint("surveys_public", __name__, url_prefix="/survey")


@blueprint.app_template_filter("survey_text")
def survey_text(texts, language: str | None = None) -> str:
    return localized(texts, language or str(get_locale()))


def condition_text(rule) -> str:
    """"Only if your answer to question 1 is 6 or lower" — beside a conditional question (also
    what a person without JavaScript reads; the server skips it when the condition is not met)."""
    number, _question, low, high = rule
    if low is not None and high is not None:
        return _("Only if your answer to question %(n)d is from %(low)d to %(high)d.", n=number, low=low, high=high)
    if high is not None:
        return _("Only if your answer to question %(n)d is %(high)d or lower.", n=number, high=high)
    return _("Only if your answer to question %(n)d is %(low)d or higher.", n=number, low=low or 0)


@blueprint.app_context_processor
def survey_scale_labels():
    return {"scale_labels": {kind: (_(low), _(high)) for kind, (low, high) in SCALE_LABELS.items()},
            "condition_text": condition_text}


def db_rollback() -> None:
    db.session.rollback()


def _public_limit() -> str:
    return current_app.config["PUBLIC_RATE_LIMIT"]


def _private(response, status: int = 200):
    response = current_app.make_response((response, status))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _speak(language: str) -> str:
    """The page speaks the invitation's language (unless the visitor picked one with ?lang=);
    returns the language in effect, which the survey's own texts then follow too."""
    if language in current_app.config["LANGUAGES"] and "lang" not in request.args:
        g.locale_override = language
        refresh()
    return str(get_locale())


def _not_found(exc: NotFound | None = None):
    gone = isinstance(exc, answering.SurveyGone)
    return _private(render_template("surveys/public/invalid.html", gone=gone), 404)


def _render(page: answering.SurveyPage, form=None, status: int = 200):
    page.language = _speak(page.language)
    if page.state == "answered":
        return _private(render_template("surveys/public/answered.html", page=page), status)
    if page.state == "expired":
        return _private(render_template("surveys/public/expired.html", page=page), 410 if status == 200 else status)
    if form is None:
        form = answer_form(page.questions, page.language)
        for question in page.questions:
            if question.id in page.values:
                getattr(form, f"q{question.id}").data = page.values[question.id]
    return _private(render_template("surveys/public/survey.html", page=page, form=form), status)


def _tap_message(score) -> str:
    return _("Your answer %(score)s is recorded. You can change it, and answer the other questions below.",
             score=score)


@blueprint.route("/<token>", methods=["GET"])
@limiter.limit(_public_limit)
def show(token: str):
    try:
        # Noting the click writes: on SQLite take the write lock at BEGIN like a POST does.
        with write_intent():
            page = answering.open_survey(token, score=request.args.get("score"), now=utcnow())
    except NotFound as exc:
        return _not_found(exc)
    return _render(page)


def _public_answer_limit() -> str:
    return current_app.config["PUBLIC_SURVEY_RATE_LIMIT"]


def _open_page(survey, *, form=None, error: str = "", status: int = 200, email: str = ""):
    questions = public_link.questions_of(survey)
    page = answering.SurveyPage(SimpleNamespace(survey=survey, complaint=None), "open", str(get_locale()), questions)
    page.error = error
    form = form or answer_form(questions, page.language)
    return _private(render_template("surveys/public/survey.html", page=page, form=form, public=True, email=email,
                                    token=survey.public_token,
                                    form_action=url_for("surveys_public.open_answer", public_token=survey.public_token)),
                    status)


def _with_respondent(response, survey, respondent: str | None, cookie: str | None):
    if respondent is None and cookie is not None:
        response.set_cookie(public_link.cookie_name(survey), cookie, max_age=400 * 86400, httponly=True,
                            samesite="Lax", secure=request.is_secure,
                            path=url_for("surveys_public.open_survey", public_token=survey.public_token))
    return response


@blueprint.route("/open/<public_token>", methods=["GET"])
@limiter.limit(_public_limit)
def open_survey(public_token: str):
    """The survey's public link (receipt, counter, QR code): in the visitor's language."""
    try:
        survey = public_link.public_survey(public_token)
    except NotFound as exc:
        return _not_found(exc)
    respondent = public_link.respondent_from(request.cookies.get(public_link.cookie_name(survey)))
    if public_link.already_answered(survey, respondent):
        return _private(render_template("surveys/public/answered.html", page=None))
    cookie = None
    if respondent is None:
        _new, cookie = public_link.new_respondent()
    return _with_respondent(_open_page(survey), survey, respondent, cookie)


@blueprint.route("/open/<public_token>", methods=["POST"])
@limiter.limit(_public_limit)
@limiter.limit(_public_answer_limit)
def open_answer(public_token: str):
    try:
        survey = public_link.public_survey(public_token)
    except NotFound as exc:
        return _not_found(exc)
    cookie = request.cookies.get(public_link.cookie_name(survey))
    respondent = public_link.respondent_from(cookie)
    new_cookie = None
    if respondent is None:  # cookies refused or a first POST without the page: this request's own id
        respondent, new_cookie = public_link.new_respondent()
    questions = public_link.questions_of(survey)
    form = answer_form(questions, str(get_locale()), formdata=request.form)
    email = (request.form.get("email") or "")[:254]
    if not form.validate():
        return _with_respondent(_open_page(survey, form=form, status=400, email=email), survey, None, new_cookie)
    raw = {q.id: getattr(form, f"q{q.id}").data for q in questions}
    try:
        public_link.submit_public(public_token, raw, respondent=respondent, email=email, language=str(get_locale()),
                                  now=utcnow())
    except public_link.AlreadyAnswered:
        db_rollback()
        return _private(render_template("surveys/public/answered.html", page=None))
    except ServiceError as exc:
        db_rollback()
        for name, messages in exc.fields.items():
            if hasattr(form, name):
                getattr(form, name).errors = list(messages)
        return _with_respondent(_open_page(survey, form=form, error=exc.message, status=400, email=email,),
                                survey, None, new_cookie)
    return _with_respondent(_private(render_template("surveys/public/thanks.html", page=None)), survey, None, new_cookie)


@blueprint.route("/<token>/tap", methods=["POST"])
@limiter.limit(_public_limit)
def tap(token: str):
    """The one-tap answer: the landing page's script POSTs the tapped score (with the page's CSRF
    token) as soon as a person's browser shows the page; a plain GET — a mail scanner — never
    gets here. JSON in, JSON out; without JavaScript the page's "Confirm" button does the same."""
    now = utcnow()
    try:
        page = answering.survey_page(token, now=now)
        _speak(page.language)
        page = answering.record_tap(token, request.form.get("score"), now=now)
    except NotFound:
        return _private(jsonify(error=_("This survey link is not valid.")), 404)
    except ServiceError as exc:
        db_rollback()
        return _private(jsonify(error=exc.message), 400)
    if page.state != "open":
        return _private(jsonify(error=_("This survey has already been answered or is closed.")), 409)
    first = page.questions[0]
    return _private(jsonify(score=page.values.get(first.id), message=_tap_message(page.values.get(first.id))))


@blueprint.route("/<token>", methods=["POST"])
@limiter.limit(_public_limit)
def answer(token: str):
    now = utcnow()
    try:
        page = answering.survey_page(token, now=now)
    except NotFound as exc:
        return _not_found(exc)
    if page.state != "open":
        return _render(page)
    page.language = _speak(page.language)  # before the form: labels, errors and messages in her language
    form = answer_form(page.questions, page.language, formdata=request.form)
    if not form.validate():
        return _render(page, form, 400)
    raw = {q.id: getattr(form, f"q{q.id}").data for q in page.questions}
    submit = bool(form.submit.data)
    try:
        answering.save_answers(token, raw, submit=submit, now=now)
    except ServiceError as exc:
        for name, messages in exc.fields.items():
            if hasattr(form, name):
                getattr(form, name).errors = list(messages)
        page.error = exc.message
        return _render(page, form, 400)
    if submit:
        return redirect(url_for("surveys_public.thanks", token=token), code=303)
    # Rendered, not redirected: a redirect to the GET would count as another click.
    page = answering.survey_page(token, now=now)
    page.notice = _("Thank you, your answer is saved. You can answer the other questions now or later.")
    return _render(page)


@blueprint.route("/<token>/thanks")
@limiter.limit(_public_limit)
def thanks(token: str):
    try:
        page = answering.survey_page(token, now=utcnow())
    except NotFound as exc:
        return _not_found(exc)
    page.language = _speak(page.language)
    return _private(render_template("surveys/public/thanks.html", page=page))


@blueprint.route("/<token>/unsubscribe", methods=["GET", "POST"])
@limiter.limit(_public_limit)
def unsubscribe(token: str):
    try:
        page = answering.survey_page(token, now=utcnow())
    except NotFound as exc:
        return _not_found(exc)
    _speak(page.language)
    form = UnsubscribeForm()
    if form.validate_on_submit():
        answering.unsubscribe(token, now=utcnow())
        return _private(render_template("surveys/public/unsubscribed.html"))
    done = page.invitation.customer.surveys_opted_out_at is not None
    return _private(render_template("surveys/public/unsubscribe.html", form=form, done=done))


@blueprint.route("/<token>/one-click-unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" without a page
@limiter.limit(_public_limit)
def one_click_unsubscribe(token: str):
    # A person (or a scanner) following the link gets the page; HEAD too — Flask routes HEAD to
    # this view as a GET, and a scanner's HEAD used to unsubscribe the customer.
    if request.method != "POST":
        return redirect(url_for("surveys_public.unsubscribe", token=token), code=303)
    try:
        answering.unsubscribe(token, now=utcnow())
    except NotFound as exc:
        return _not_found(exc)
    return _private(_("You will not receive any more surveys from us."))
