"""Logging: LOG_LEVEL, LOG_FORMAT (text or one JSON object per line), and a request id on every
line written while a request is handled (taken from a sane incoming X-Request-ID, else made up,
and sent back as X-Request-ID so a proxy's log and ours can be joined)."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

# An id a client or proxy sends is kept only when it cannot forge log lines or headers.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{8,128}")
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
_JSON_FIELDS = ("asctime", "levelname", "name", "message", "request_id")

request_log = logging.getLogger("complaint_care.request")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or "-") on every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(level: str, log_format: str, stream=None) -> logging.Handler:
    """Install (or replace) the app's one handler (stderr) on the root logger. Handlers others put
    there (pytest's capture, gunicorn's) are left alone."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "complaint_care", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream)
    handler.complaint_care = True
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter(_JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger",
                                                                        "asctime": "time"}, json_ensure_ascii=False))
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    # A JSON line per request (with its id and duration) for log pipelines; in text mode the
    # server's own access log (werkzeug, gunicorn --access-logfile) already has one.
    request_log.setLevel(logging.INFO if log_format == "json" else logging.WARNING)
    # Every tick of every job would drown the console (and the login the run command prints).
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    return handler


def request_id_from(incoming: str | None) -> str:
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def _begin_request() -> None:
    g.request_id = request_id_from(request.headers.get("X-Request-ID"))
    g.request_started = time.perf_counter()


def _end_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    if started is not None and request_log.isEnabledFor(logging.INFO):
        # One line per request, with what an operator filters on; werkzeug/gunicorn keep their own
        # access logs too, but without the request id.
        request_log.info("%s %s %s", request.method, request.path, response.status_code, extra={
            "method": request.method, "path": request.path, "status": response.status_code,
            "endpoint": request.endpoint or "", "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "remote_addr": request.remote_addr or ""})
    return response


def register(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _begin_request)  # first: every later hook logs with it
    app.after_request(_end_request)
