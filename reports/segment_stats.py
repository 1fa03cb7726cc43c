"""Segment charts: customers per segment of each segmentation, and the transition matrix
between the last two recomputes (issue 3's segment tables, read through segment_queries)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from reports import segment_queries
from reports.charts import Chart
from reports.filters import ReportFilter

def distribution(filters: ReportFilter, now: datetime) -> Chart:
    rows = segment_queries.distribution_rows()
    note = "" if rows else _("No segments have been computed yet.")
    return Chart("segments", _("Customers per segment"), [_("Segmentation"), _("Segment"), _("Customers")], rows,
                 kind="stacked_segments", note=note)


def transition_matrix(filters: ReportFilter, now: datetime) -> Chart:
    segmentation = (filters.segment or "abc:").split(":", 1)[0] or "abc"
    rows, codes, runs = segment_queries.labelled_transition_rows(segmentation)
    note = _("Select a cell to see the customers who moved and why.") if rows else \
        _("Transitions appear after two segment recomputes.")
    return Chart("transitions", _("Segment transitions between the last two recomputes"),
                 [_("From"), _("To"), _("Customers")], rows, kind="matrix", note=note,
                 extra={"segmentation": segmentation, "runs": runs, "codes": codes})
