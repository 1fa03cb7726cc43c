"""Customer charts from the pre-aggregated customer value table: the revenue Pareto (20/80
curve) and handling time against revenue."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from customers.models import Customer
from extensions import db
from reports.charts import Chart
from reports.models import CustomerValue

CURVE_POINTS = 50
SCATTER_POINTS = 300


def revenue_pareto() -> Chart:
    """Share of revenue brought by the top x % of customers, at about 50 points of the curve."""
    total = db.session.scalar(select(func.max(CustomerValue.revenue_rank))) or 0  # ranks are 1..n: an index lookup
    if total == 0:
        return Chart("revenue", _("Revenue by customer rank"), [_("Customers (%)"), _("Revenue (%)")], [],
                     kind="line")
    step = max(total // CURVE_POINTS, 1)
    query = (select(CustomerValue.revenue_rank, CustomerValue.cumulative_share)
             .where(or_(CustomerValue.revenue_rank % step == 0, CustomerValue.revenue_rank == total))
             .order_by(CustomerValue.revenue_rank))
    rows = [[0.0, 0.0]] + [[round(100 * rank / total, 2), round(share, 2)] for rank, share in db.session.execute(query)]
    at_20 = db.session.scalar(select(CustomerValue.cumulative_share)
                              .where(CustomerValue.revenue_rank == max(round(total * 0.2), 1)))
    note = _("The top 20 %% of customers bring %(share).0f %% of revenue.", share=at_20 or 0)
    return Chart("revenue", _("Revenue by customer rank"), [_("Customers (%)"), _("Revenue (%)")], rows,
                 kind="line", note=note)


def time_vs_revenue() -> Chart:
    """The customers we spend most time on, with their revenue; "costly" marks those in the top
    quarter by minutes and the bottom quarter by revenue."""
    query = (select(Customer.id, Customer.name, CustomerValue.revenue, CustomerValue.handling_minutes,
                    CustomerValue.complaints, CustomerValue.costly)
             .join(Customer, Customer.id == CustomerValue.customer_id)
             .where(CustomerValue.handling_minutes > 0)
             .order_by(CustomerValue.handling_minutes.desc()).limit(SCATTER_POINTS))
    rows = [[cid, name, float(revenue), int(minutes), int(n), bool(costly)]
            for cid, name, revenue, minutes, n, costly in db.session.execute(query)]
    return Chart("time_revenue", _("Handling time against revenue (last 12 months)"),
                 [_("Customer id"), _("Customer"), _("Revenue"), _("Handling minutes"), _("Complaints"),
                  _("Much time, little revenue")], rows, kind="scatter",
                 note=_("Highlighted: top quarter by handling time and bottom quarter by revenue."))
