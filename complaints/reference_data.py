"""The root-cause list and SLA targets a fresh install starts with (installed by the baseline migration and by tests)."""
from __future__ import annotations

import sqlalchemy as sa

ROOT_CAUSES = [
    ("late_delivery", "Late delivery", 10),
    ("damaged_in_transit", "Damaged in transit", 20),
    ("product_defect", "Product defect", 30),
    ("wrong_item", "Wrong item or quantity", 40),
    ("billing_error", "Billing or invoicing error", 50),
    ("price", "Price or terms dispute", 60),
    ("staff_conduct", "Staff conduct", 70),
    ("communication", "Poor or missing communication", 80),
    ("process_failure", "Internal process failure", 90),
    ("customer_misunderstanding", "Misunderstanding (no fault found)", 100),
    ("other", "Other", 1000),
]

SLA_HOURS = [("urgent", 2, 24), ("high", 4, 48), ("normal", 8, 120), ("low", 24, 240)]

root_causes_table = sa.table("root_causes", sa.column("code", sa.String), sa.column("name", sa.String),
                             sa.column("active", sa.Boolean), sa.column("sort_order", sa.Integer))
sla_table = sa.table("sla_targets", sa.column("priority", sa.String), sa.column("first_response_hours", sa.Integer),
                     sa.column("resolution_hours", sa.Integer))


def root_cause_rows() -> list[dict]:
    return [{"code": c, "name": n, "active": True, "sort_order": o} for c, n, o in ROOT_CAUSES]


def sla_rows() -> list[dict]:
    return [{"priority": p, "first_response_hours": f, "resolution_hours": r} for p, f, r in SLA_HOURS]


def install(connection) -> None:
    connection.execute(root_causes_table.insert(), root_cause_rows())
    connection.execute(sla_table.insert(), sla_rows())
