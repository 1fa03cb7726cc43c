"""Friendly error pages for people, JSON errors for the API; never a bare 500 for client input."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from extensions import db
from platform_support.errors import ServiceError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check what you entered and try again."),
        403: _("You do not have access to this page."),
        404: _("We could not find this page."),
        405: _("This action is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing you entered was lost; please try again."),
    }


def render_error(code: int, message: str | None = None):
    message = message or _messages().get(code, _messages()[400])
    if _wants_json():
        return jsonify({"error": message, "fields": {}}), code
    return render_template("error.html", code=code, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(400, _("Your form expired or was sent from elsewhere. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        return render_error(exc.code)

    @app.errorhandler(ServiceError)
    def refused(exc: ServiceError):
        # A use case refused input that reached it outside a form (a query argument, a cursor):
        # the refusal's own message, with its 4xx code.
        db.session.rollback()
        return render_error(exc.status_code, exc.message)

    @app.errorhandler(UnicodeError)
    def unicode_error(exc: UnicodeError):
        return render_error(400)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
