"""The OpenAPI 3 document for /api/v1 (kept beside the routes it describes)."""
from __future__ import annotations

from flask import current_app

from complaints.lifecycle import PRIORITIES, STATES
from complaints.queries import SORTS

ERROR = {"$ref": "#/components/responses/Error"}
UNAUTHORIZED = {"$ref": "#/components/responses/Unauthorized"}
FORBIDDEN = {"$ref": "#/components/responses/Forbidden"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _staff_op(summary: str, *, body: dict | None = None, ok: int = 200, ok_schema: dict | None = None,
              parameters: list | None = None) -> dict:
    op = {"summary": summary, "security": [{"bearer": []}], "responses": {
        str(ok): {"description": "OK", **_json(ok_schema or _ref("ComplaintDetail"))},
        "400": ERROR, "401": UNAUTHORIZED, "403": FORBIDDEN, "404": ERROR}}
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
        if "version" in body.get("properties", {}):
            op["responses"]["409"] = ERROR  # lost a race or acted on an outdated version
    if parameters:
        op["parameters"] = parameters
    return op


def _created_too(op: dict) -> dict:
    """An upsert: 200 when it updated, 201 (same body) when it created."""
    op["responses"]["201"] = {**op["responses"]["200"], "description": "Created"}
    return op


REFERENCE = {"name": "reference", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 20}}


def _obj(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


STR = {"type": "string"}
NULLABLE_STR = {"type": "string", "nullable": True}
MINUTES = {"type": "integer", "minimum": 0, "maximum": 1440}
# The complaint `version` the client last read: a different current version is a 409.
VERSION = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}

SCHEMAS = {
    "Error": _obj(["error", "fields"], error=STR, fields={"type": "object", "additionalProperties": {
        "type": "array", "items": STR}}),
    "Staff": {"type": "object", "nullable": True, "properties": {"email": STR, "name": STR}},
    "ComplaintSummary": _obj(
        ["reference", "status", "priority"], reference=STR,
        status={"type": "string", "enum": list(STATES)},
        priority={"type": "string", "enum": list(PRIORITIES)}, subject=STR, version={"type": "integer"},
        customer_email=STR, customer_name=STR, owner=_ref("Staff"),
        created_at={"type": "string", "format": "date-time"},
        first_response_due_at={"type": "string", "format": "date-time"},
        resolution_due_at={"type": "string", "format": "date-time"}, overdue={"type": "boolean"},
        category={"type": "string", "nullable": True, "description": "the intake category's code"},
        tags={"type": "array", "items": STR}),
    "Event": _obj(["id", "kind", "public"], id={"type": "integer"}, kind=STR, public={"type": "boolean"}, body=STR,
                  detail={"type": "object"}, by_customer={"type": "boolean"}, actor=_ref("Staff"),
                  minutes={"type": "integer"}, created_at={"type": "string", "format": "date-time"}),
    "ComplaintDetail": {"allOf": [_ref("ComplaintSummary"), {"type": "object", "properties": {
        "description": STR, "order_reference": STR, "occurred_on": {"type": "string", "format": "date", "nullable": True},
        "desired_outcome": STR, "phone": STR, "preferred_channel": STR, "language": STR,
        "first_responded_at": {"type": "string", "format": "date-time", "nullable": True},
        "committed_action": NULLABLE_STR, "committed_action_due_on": {"type": "string", "format": "date", "nullable": True},
        "resolution": NULLABLE_STR,
        "root_cause": {"type": "object", "nullable": True, "properties": {"code": STR, "name": STR}},
        "resolved_at": {"type": "string", "format": "date-time", "nullable": True},
        "closed_at": {"type": "string", "format": "date-time", "nullable": True},
        "handling_minutes": {"type": "integer"},
        "fields": {"type": "object", "description": "the category's custom fields: code → value (dates YYYY-MM-DD, "
                   "numbers as decimal strings, null when not filled in)",
                   "additionalProperties": {"type": "string", "nullable": True}},
        "facts": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "text": STR, "created_at": STR, "actor": _ref("Staff")}}},
        "events": {"type": "array", "items": _ref("Event")},
        "attachments": {"type": "array", "items": {"type": "object"}}}}]},
    "NewComplaint": _obj(
        ["name", "email", "description"], name={"type": "string", "maxLength": 200},
        email={"type": "string", "format": "email", "maxLength": 254},
        description={"type": "string", "maxLength": 20000}, subject={"type": "string", "maxLength": 200},
        order_reference={"type": "string", "maxLength": 100}, occurred_on={"type": "string", "format": "date"},
        desired_outcome={"type": "string", "maxLength": 5000}, phone={"type": "string", "maxLength": 50},
        preferred_channel={"type": "string", "enum": ["email", "phone", "in_person"]},
        language={"type": "string", "enum": ["en", "pl", "ru", "ro", "cs"]},
        category={"type": "string", "maxLength": 50,
                  "description": "an active category's code (GET /categories); required when the server is so configured"},
        fields={"type": "object", "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "number"}]},
                "description": "the category's public custom fields (GET /categories: public true): code → value "
                               "(dates YYYY-MM-DD, numbers as numbers or decimal text); a required one must be given"}),
    "Category": _obj(["code", "names", "fields"], code=STR, names={"type": "object", "additionalProperties": STR},
                     fields={"type": "array", "items": {
                         "type": "object", "required": ["code", "label", "kind", "required"], "properties": {
                             "code": STR, "label": STR, "kind": {"type": "string", "enum": ["text", "choice", "date", "number"]},
                             "required": {"type": "boolean"},
                             "public": {"type": "boolean", "description": "asked of the customer (POST /complaints)"},
                             "choices": {"type": "array", "items": STR, "nullable": True}}}}),
}


def survey_paths() -> dict:
    """Surveys (api/surveys_api.py)."""
    page = [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
            {"name": "cursor", "in": "query", "schema": {"type": "string"}}]
    since = {"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"},
             "description": "only responses created or changed at or after this moment"}
    answer = _obj(["type", "value"], question={"type": "integer"},
                  type={"type": "string", "enum": ["nps", "csat", "ces", "choice", "text"]},
                  value={"oneOf": [{"type": "integer"}, {"type": "string"}]})
    response = _obj(["customer_email", "complaint_reference", "submitted", "answers"], id={"type": "integer"},
                    survey=STR, customer_email=NULLABLE_STR, customer_external_id=NULLABLE_STR,
                    complaint_reference=NULLABLE_STR, submitted={"type": "boolean"},
                    submitted_at={"type": "string", "format": "date-time", "nullable": True},
                    updated_at={"type": "string", "format": "date-time"}, language=STR,
                    answers={"type": "array", "items": answer})
    return {
        "/survey-responses": {"get": _staff_op("Survey answers (raw), oldest change first", parameters=[since, *page],
                                               ok_schema=_obj(["items", "next_cursor"], items={"type": "array", "items": response},
                                                              next_cursor=NULLABLE_STR))},
        "/surveys": {"get": _staff_op("Survey definitions with their questions (texts per language)", ok_schema=_obj(
            ["items"], items={"type": "array", "items": {"type": "object"}}, next_cursor=NULLABLE_STR))},
        "/surveys/{code}/results": {"get": _staff_op(
            "Scores (NPS, CSAT %, CES mean) with the 95 % margin, n, response rate, distributions",
            parameters=[{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}, since],
            ok_schema={"type": "object"})},
        "/survey-invitations": {"get": _staff_op("Invitations with status and reason (cap, opt-out…)", parameters=[
            {"name": "status", "in": "query", "schema": {"type": "string", "enum": [
                "scheduled", "sending", "sent", "answered", "expired", "capped", "opted_out", "cancelled"]}}, *page],
            ok_schema=_obj(["items", "next_cursor"], items={"type": "array", "items": {"type": "object"}},
                           next_cursor=NULLABLE_STR))},
    }


def customer_paths() -> dict:
    """Customer file and orders (api/customers_api.py)."""
    external_id = {"name": "external_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 100}}
    nullable_enum = lambda *values: {"type": "string", "nullable": True, "enum": list(values)}  # noqa: E731
    fields = dict(name={"type": "string", "maxLength": 200}, email={"type": "string", "format": "email"},
                  organisation={"type": "string", "maxLength": 200}, language={"type": "string", "enum": ["en", "pl", "ru", "ro", "cs"]},
                  timezone={"type": "string", "example": "Europe/Warsaw"}, birthday={"type": "string", "format": "date"},
                  phone={"type": "string", "maxLength": 50},
                  preferred_channel={"type": "string", "enum": ["email", "phone", "in_person"]},
                  salutation={"type": "string", "maxLength": 200}, patronymic={"type": "string", "maxLength": 100},
                  job_title=STR, notes=STR, preferred_days={"type": "string", "example": "mon,wed"},
                  country={"type": "string", "pattern": "^([A-Za-z]{2})?$", "example": "PL",
                           "description": "ISO 3166 alpha-2; empty: none (DEFAULT_COUNTRY applies)"})
    # What a file holds may be empty where a client may not send null: files opened by a complaint have
    # no external id, and organisation, birthday and the like stay unset until someone knows them.
    stored = {name: {**schema, "nullable": True} for name, schema in fields.items() if name != "name"}
    customer = _obj(["external_id", "name", "scores", "segments"], external_id=NULLABLE_STR, name=fields["name"],
                    **stored, erased={"type": "boolean"},
                    scores=_obj(["satisfaction", "loyalty"], satisfaction={"type": "number", "nullable": True},
                                loyalty={"type": "number", "nullable": True}),
                    segments=_obj(["abc", "category", "stage"], abc=nullable_enum("A", "B", "C"),
                                  category=nullable_enum("difficult", "dead", "core", "devoted", "new"),
                                  stage=nullable_enum("prospect", "disqualified", "first_time", "repeat", "client",
                                                      "advocate", "partner", "inactive", "former")))
    order = _obj(["customer", "ordered_on", "amount"], customer={"type": "string", "description": "external id"},
                 ordered_on={"type": "string", "format": "date"},
                 amount={"oneOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\\d+(\\.\\d{1,2})?$"}]},
                 currency={"type": "string", "minLength": 3, "maxLength": 3}, due_on={"type": "string", "format": "date"},
                 paid_on={"type": "string", "format": "date"}, reference={"type": "string", "maxLength": 100})
    by_email = {"name": "email", "in": "query", "required": True, "schema": {"type": "string", "format": "email"}}
    return {
        "/customers": {
            "get": _staff_op("The customer files with this e-mail address", parameters=[by_email],
                             ok_schema=_obj(["items"], items={"type": "array", "items": customer})),
        },
        "/customers/{external_id}": {
            "put": _created_too(_staff_op("Create or update a customer file (name and email required on create)",
                                          parameters=[external_id], body={"type": "object", "properties": fields},
                                          ok_schema=customer)),
            "get": _staff_op("The customer file with scores and segments", parameters=[external_id], ok_schema=customer),
        },
        "/orders": {"post": _staff_op("Add one order (object) or several (list; all or none)", ok=201,
                                      body={"oneOf": [order, {"type": "array", "items": order}]},
                                      ok_schema={"type": "object"})},
    }


def openapi_document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Complaint care API", "version": "1.0.0",
                 "description": "Complaints, customers, orders and survey answers. Staff endpoints take "
                                "`Authorization: Bearer <token>` (`flask --app wsgi staff token EMAIL`)."},
        "servers": [{"url": current_app.config["BASE_URL"] + "/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "An API token of a staff account (`flask --app wsgi staff token EMAIL "
                               "--name NAME --scope read|write --expires-days N`, or the API tokens page). "
                               "A read-only token may only send GET, HEAD and OPTIONS."}},
            "responses": {
                "Error": {"description": "Error", **_json(_ref("Error"))},
                "Unauthorized": {
                    "description": "No token, or a token that is unknown, expired or revoked (also after "
                                   "`staff revoke-tokens EMAIL`), or whose account is disabled",
                    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "example": 'Bearer realm="api"'}},
                    **_json(_ref("Error"))},
                "Forbidden": {
                    "description": "A read-only token sent POST, PUT, PATCH or DELETE (WWW-Authenticate: "
                                   "error=\"insufficient_scope\"), or the account's role may not do this",
                    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                    **_json(_ref("Error"))},
            },
            "schemas": SCHEMAS,
        },
        "paths": {
            "/complaints": {
                "post": {"summary": "File a complaint (public, rate-limited)",
                         "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                         "schema": {"type": "string", "minLength": 16, "maxLength": 64}}],
                         "requestBody": {"required": True, **_json(_ref("NewComplaint"))},
                         "responses": {
                             "201": {"description": "Filed", **_json(_obj(["reference", "tracking_url"], reference=STR,
                                                                          tracking_url=STR))},
                             "200": {"description": "Same Idempotency-Key: the complaint filed before",
                                     **_json(_obj(["reference", "tracking_url"], reference=STR, tracking_url=STR))},
                             "400": ERROR, "429": ERROR}},
                "get": _staff_op("List complaints (cursor pagination)", ok_schema=_obj(
                    ["items", "next_cursor"], items={"type": "array", "items": _ref("ComplaintSummary")},
                    next_cursor=NULLABLE_STR), parameters=[
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": [
                        "open", "all", *STATES]}},
                    {"name": "owner", "in": "query", "schema": {"type": "string"},
                     "description": "me, none or a staff e-mail"},
                    {"name": "priority", "in": "query", "schema": {"type": "string", "enum": list(PRIORITIES)}},
                    {"name": "overdue", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 500},
                     "description": "Search words: every word must occur (as a word prefix) in the reference, order"
                                    " reference, subject, description, the customer's messages or calls, or the"
                                    " contact's name or e-mail; case and diacritics ignored. Ranked by relevance"
                                    " unless a sort is given; at most 1000 results."},
                    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS)},
                     "description": "due (default), -due, created, -created, updated, -updated, priority (urgent"
                                    " first, then due), relevance (default with q); a '-' means descending"},
                    {"name": "category", "in": "query", "schema": {"type": "string"},
                     "description": "a category's code, or none"},
                    {"name": "tag", "in": "query", "schema": {"type": "string"}},
                    {"name": "field", "in": "query", "schema": {"type": "string"},
                     "description": "complaints with this custom field (its code) filled in …"},
                    {"name": "field_value", "in": "query", "schema": {"type": "string"},
                     "description": "… matching this value by the field's kind: text contains it (any case), "
                                    "a choice is exactly it, a number or a date is it or in a range FROM..TO "
                                    "(either end may be left out: 10.., ..2027-03-31)"},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"},
                     "description": "next_cursor of the previous page, with the same filters and sort"}]),
            },
            "/complaints/{reference}": {"get": _staff_op("One complaint with facts, events, owner, due dates",
                                                         parameters=[REFERENCE])},
            "/complaints/{reference}/facts": {"post": _staff_op(
                "Record a fact", ok=201, parameters=[REFERENCE],
                body=_obj(["text"], text={"type": "string", "maxLength": 20000}, minutes=MINUTES, version=VERSION))},
            "/complaints/{reference}/assign": {"post": _staff_op(
                "Assign the owner (the customer is told the name)", parameters=[REFERENCE],
                body=_obj(["owner"], owner={"type": "string", "format": "email"}, minutes=MINUTES, version=VERSION))},
            "/complaints/{reference}/updates": {"post": _staff_op(
                "Progress update (public) or internal note; a public update with wait_for_customer puts the "
                "complaint in `waiting` until the customer answers", ok=201, parameters=[REFERENCE],
                body=_obj(["message"], message={"type": "string", "maxLength": 20000}, public={"type": "boolean"},
                          wait_for_customer={"type": "boolean", "default": False,
                                             "description": "wait for the customer's answer (public updates only)"},
                          minutes=MINUTES, version=VERSION))},
            "/complaints/{reference}/commitments": {"post": _staff_op(
                "Commit to an action with a target date", parameters=[REFERENCE],
                body=_obj(["action", "due_on"], action={"type": "string", "maxLength": 5000},
                          due_on={"type": "string", "format": "date"}, minutes=MINUTES, version=VERSION))},
            "/complaints/{reference}/resolve": {"post": _staff_op(
                "Resolve with a resolution and a root-cause code", parameters=[REFERENCE],
                body=_obj(["resolution", "root_cause"], resolution={"type": "string", "maxLength": 20000},
                          root_cause={"type": "string", "maxLength": 50}, minutes=MINUTES, version=VERSION))},
            "/complaints/{reference}/reopen": {"post": _staff_op(
                "Reopen a resolved or closed complaint", parameters=[REFERENCE],
                body=_obj(["reason"], reason={"type": "string", "maxLength": 5000}, minutes=MINUTES, version=VERSION))},
            "/complaints/{reference}/close": {"post": {**_staff_op("Close a resolved complaint", parameters=[REFERENCE]),
                                                       "requestBody": {"required": False, **_json(_obj([], minutes=MINUTES, version=VERSION))},
                                                       "responses": {**_staff_op("", parameters=[REFERENCE])["responses"], "409": ERROR}}},
            "/complaints/{reference}/classification": {"post": _staff_op(
                "Set the category, tags and custom fields (each optional: absent is unchanged); "
                "every change is an event on the timeline", parameters=[REFERENCE],
                body=_obj([], category={"type": "string", "description": "a code, or empty for none"},
                          tags={"type": "array", "items": {"type": "string", "maxLength": 50}, "maxItems": 20},
                          fields={"type": "object", "additionalProperties": {"type": "string", "nullable": True}},
                          version=VERSION))},
            "/categories": {"get": _staff_op("The active intake categories with their custom fields",
                                             ok_schema={"type": "array", "items": _ref("Category")})},
            "/root-causes": {"get": _staff_op("The root-cause list", ok_schema={"type": "array", "items": _obj(
                ["code", "name"], code=STR, name=STR)})},
            **customer_paths(),
            **survey_paths(),
        },
    }
