"""JSON API for the customer file and orders (/api/v1), calling the same services as the staff pages."""
from __future__ import annotations

from flask import g, jsonify, request
from flask_babel import gettext as _

from api.common import ApiError, api_blueprint, json_body, staff_required
from customers import records
from customers.orders import add_orders
from customers.queries import score_for
from platform_support.clock import utcnow
from platform_support.email_address import is_single_address

blueprint = api_blueprint("customers_api", __name__)

CUSTOMER_FIELDS = ("name", "email", "organisation", "language", "timezone", "birthday", "phone", "preferred_channel",
                   "salutation", "patronymic", "job_title", "notes", "preferred_days", "country")


def customer_json(customer) -> dict:
    score = score_for(customer.id)
    return {
        "external_id": customer.external_id, "name": customer.name, "email": customer.email,
        "organisation": customer.organisation.name if customer.organisation else None,
        "language": customer.language, "timezone": customer.timezone, "country": customer.country,
        "birthday": customer.birthday.isoformat() if customer.birthday else None, "phone": customer.phone,
        "preferred_channel": customer.preferred_channel, "salutation": customer.salutation,
        "patronymic": customer.patronymic, "job_title": customer.job_title,
        "erased": customer.erased_at is not None,
        "scores": {"satisfaction": score.satisfaction if score else None, "loyalty": score.loyalty if score else None},
        "segments": {"abc": score.abc if score else None, "category": score.category if score else None,
                     "stage": score.stage if score else None},
    }


@blueprint.put("/customers/<external_id>")
@staff_required
def put_customer(external_id: str):
    body = json_body()
    unknown = sorted(set(body) - set(CUSTOMER_FIELDS) - {"external_id"})
    if unknown:
        raise ApiError(_("Unknown fields."), fields={name: [_("Not a customer field.")] for name in unknown})
    saved = records.save_customer(external_id, {k: v for k, v in body.items() if k in CUSTOMER_FIELDS}, now=utcnow(),
                                  actor=g.api_user)
    return jsonify(customer_json(saved.customer)), (201 if saved.created else 200)


@blueprint.get("/customers")
@staff_required
def find_customers():
    """`?email=ADDRESS` → {"items": [file, …]}: the customer files with that address (compared as
    stored, case-insensitively; an erased file has no address left, so it is never found). Every
    staff role may read customer files, as `GET /customers/{external_id}`."""
    email = request.args.get("email")
    if email is None or not is_single_address(email.strip()):
        raise ApiError(_("Give one e-mail address: ?email=ADDRESS."),
                       fields={"email": [_("Please enter a valid e-mail address.")]})
    return jsonify({"items": [customer_json(c) for c in records.customers_with_email(email.strip())]})


@blueprint.get("/customers/<external_id>")
@staff_required
def get_customer(external_id: str):
    return jsonify(customer_json(records.get_customer_by_external_id(external_id)))


@blueprint.post("/orders")
@staff_required
def post_orders():
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        raws, single = [body], True
    elif isinstance(body, list):
        raws, single = body, False
    else:
        raise ApiError(_("Send one order as a JSON object or several as a JSON list."))
    rows = add_orders(raws, now=utcnow())
    items = [{"customer": raw["customer"], "ordered_on": row["ordered_on"].isoformat(), "amount": str(row["amount"]),
              "currency": row["currency"], "due_on": row["due_on"].isoformat() if row["due_on"] else None,
              "paid_on": row["paid_on"].isoformat() if row["paid_on"] else None, "reference": row["external_ref"]}
             for raw, row in zip(raws, rows)]
    return jsonify(items[0] if single else {"created": len(items), "items": items}), 201
