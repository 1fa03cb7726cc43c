"""JSON API v1. Thin: parse JSON, call the same service functions as the HTML views."""
from __future__ import annotations

import hashlib

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _

from api import serializers
from api.common import ApiError, api_blueprint, date_field, int_field, version_field, json_body, limit_arg, staff_required, text_field
from api.openapi import openapi_document
from complaints import actions, classification, filing, queries
from complaints.lifecycle import PRIORITIES
from extensions import limiter
from platform_support.clock import utcnow

blueprint = api_blueprint("api", __name__)


@blueprint.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


def _complaint_limit() -> str:
    return current_app.config["COMPLAINT_RATE_LIMIT"]


@blueprint.post("/complaints")
@limiter.limit(_complaint_limit)
def file_complaint():
    body = json_body()

    def given(name: str, default: str = ""):
        value = body.get(name)
        return default if value is None else value  # any other type: refused by the filing's check

    new = filing.NewComplaint(
        name=given("name"), email=given("email"), description=given("description"), subject=given("subject"),
        order_reference=given("order_reference"), occurred_on=date_field(body, "occurred_on"),
        desired_outcome=given("desired_outcome"), phone=given("phone"),
        preferred_channel=given("preferred_channel", "email"), language=given("language", "en"),
        category=given("category"), fields=body.get("fields"))
    filed = filing.file_complaint(new, channel="api", submission_key=_idempotency_key(new))
    return jsonify({"reference": filed.reference, "tracking_url": filed.tracking_url}), (201 if filed.created else 200)


def _idempotency_key(new: filing.NewComplaint) -> str | None:
    """A retry with the same Idempotency-Key returns the first complaint (and its tracking link).

    The key is the client's choice, so it is scoped to the sender's address and the text: another
    client that happens to pick the same key files its own complaint instead of being handed
    someone else's tracking link."""
    key = request.headers.get("Idempotency-Key", "")
    if not 16 <= len(key) <= 64:
        if key:
            raise ApiError(_("Invalid Idempotency-Key."),
                           fields={"Idempotency-Key": [_("Use 16 to 64 characters, e.g. a UUID.")]})
        return None
    scope = hashlib.sha256(f"{str(new.email).strip().lower()}\n{new.description}".encode()).hexdigest()
    return f"api:{scope}:{key}"


@blueprint.get("/complaints")
@staff_required
def list_complaints():
    args = request.args
    status = args.get("status")
    priority = args.get("priority")
    if priority and priority not in PRIORITIES:
        raise ApiError(_("Unknown priority."), fields={"priority": [_("One of: %(choices)s.", choices=", ".join(PRIORITIES))]})
    overdue = args.get("overdue", "").lower() in ("1", "true", "yes")
    sort = args.get("sort") or None
    if sort and sort not in queries.SORTS:
        raise ApiError(_("Unknown sort."), fields={"sort": [_("One of: %(choices)s.", choices=", ".join(queries.SORTS))]})
    q = args.get("q", "")
    if len(q) > 500:
        raise ApiError(_("Search words are too long."), fields={"q": [_("Please keep it under %(max)d characters.", max=500)]})
    now = utcnow()
    items, next_cursor = queries.queue_page(
        g.api_user, queries.QueueFilter(status=status or "all", owner=args.get("owner"), priority=priority, overdue=overdue,
                                        q=q, sort=sort, category=args.get("category") or None,
                                        tag=args.get("tag") or None, field=args.get("field") or None,
                                        field_value=args.get("field_value")),
        now=now, limit=limit_arg(), cursor=args.get("cursor"))
    return jsonify({"items": [serializers.complaint_summary(c, now) for c in items], "next_cursor": next_cursor})


@blueprint.get("/complaints/<reference>")
@staff_required
def get_complaint(reference: str):
    complaint = queries.get_visible_complaint(reference, g.api_user)
    return jsonify(serializers.complaint_detail(complaint, utcnow()))


def _detail(reference: str, status: int = 200):
    complaint = queries.get_visible_complaint(reference, g.api_user)
    return jsonify(serializers.complaint_detail(complaint, utcnow())), status


@blueprint.post("/complaints/<reference>/facts")
@staff_required
def add_fact(reference: str):
    body = json_body()
    actions.record_fact(reference, text_field(body, "text", required=True), actor=g.api_user,
                        minutes=int_field(body, "minutes"), expected_version=version_field(body))
    return _detail(reference, 201)


@blueprint.post("/complaints/<reference>/assign")
@staff_required
def assign(reference: str):
    body = json_body()
    actions.assign_owner(reference, text_field(body, "owner", required=True, max_length=254), actor=g.api_user,
                         minutes=int_field(body, "minutes"), expected_version=version_field(body))
    return _detail(reference)


@blueprint.post("/complaints/<reference>/updates")
@staff_required
def post_update(reference: str):
    body = json_body()
    public, wait = body.get("public", True), body.get("wait_for_customer", False)
    for name, value in (("public", public), ("wait_for_customer", wait)):
        if not isinstance(value, bool):
            raise ApiError(_("Wrong type."), fields={name: [_("Must be true or false.")]})
    actions.post_update(reference, text_field(body, "message", required=True), public=public, actor=g.api_user,
                        minutes=int_field(body, "minutes"), expected_version=version_field(body),
                        wait_for_customer=wait)
    return _detail(reference, 201)


@blueprint.post("/complaints/<reference>/commitments")
@staff_required
def commit_action(reference: str):
    body = json_body()
    actions.commit_action(reference, text_field(body, "action", required=True, max_length=5000),
                          date_field(body, "due_on", required=True), actor=g.api_user, minutes=int_field(body, "minutes"), expected_version=version_field(body))
    return _detail(reference)


@blueprint.post("/complaints/<reference>/resolve")
@staff_required
def resolve(reference: str):
    body = json_body()
    actions.resolve(reference, text_field(body, "resolution", required=True),
                    text_field(body, "root_cause", required=True, max_length=50), actor=g.api_user,
                    minutes=int_field(body, "minutes"), expected_version=version_field(body))
    return _detail(reference)


@blueprint.post("/complaints/<reference>/reopen")
@staff_required
def reopen(reference: str):
    body = json_body()
    actions.reopen(reference, text_field(body, "reason", required=True, max_length=5000), actor=g.api_user,
                   minutes=int_field(body, "minutes"), expected_version=version_field(body))
    return _detail(reference)


@blueprint.post("/complaints/<reference>/close")
@staff_required
def close(reference: str):
    body = request.get_json(silent=True) if request.content_length else {}
    if not isinstance(body, dict):
        raise ApiError(_("Send a JSON object with Content-Type: application/json."))
    actions.close(reference, actor=g.api_user, minutes=int_field(body, "minutes"), expected_version=version_field(body))
    return _detail(reference)


@blueprint.post("/complaints/<reference>/classification")
@staff_required
def classify(reference: str):
    """Category, tags and custom fields; each key is optional (absent: unchanged)."""
    body = json_body()
    classification.classify(reference, actor=g.api_user, category=body.get("category"), tags=body.get("tags"),
                            fields=body.get("fields"), expected_version=version_field(body))
    return _detail(reference)


@blueprint.get("/categories")
@staff_required
def categories():
    return jsonify([serializers.category(c) for c in classification.active_categories()])


@blueprint.get("/root-causes")
@staff_required
def root_causes():
    return jsonify([{"code": rc.code, "name": rc.name} for rc in actions.active_root_causes()])
