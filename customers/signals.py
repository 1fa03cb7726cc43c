"""What the customers package offers to others without importing them.

Packages above customers (complaints, surveys, webhooks, …) and below it (notifications, audit)
answer these with plain functions; customers never imports them — they are connected in
`factory.register_signal_receivers`.

`timeline_sources`: called with `customer_id=<int>`, `limit=<int>` and `viewer=<StaffUser | None>`
(None: everything, e.g. for the customer's own export); returns a list of
`customers.timeline.TimelineEntry`. A receiver shows a viewer only what the one visibility rule
(`complaints.queries`) lets them see.

`complaint_summaries`: the same arguments; returns a list of `customers.timeline.ComplaintSummary`
(the "Complaints" box of the customer file).

`root_cause_names`: no arguments; returns {root cause id: name} (the reasons of a segment move).
`handling_minutes`: `start_at`, `end_at` (naive UTC); returns a SELECT of (`customer_id`, `m`): the
minutes spent per customer in [start_at, end_at) (the quarterly review's time vs revenue).

The privacy duties (`customers/privacy.py`), each package for its own data:
- `erasure_identifiers`: `customer_id` → strings that identify the person in free text elsewhere
  (addresses and names a complaint was filed with, complaint references), gathered before erasing.
- `erasure_preview`: `customer_id` → a list of `customers.privacy.ErasureItem` (what will be
  deleted, counted; an item may block the erasure, e.g. an open complaint).
- `customer_erasing`: `erasure=<customers.privacy.Erasure>`; every receiver blanks or deletes what
  it holds about the person, in the caller's transaction (no commit).
- `export_sections`: `customer_id` → a list of `customers.privacy.ExportSection` (a name, JSON-ready
  data and files for the zip).
- `activity_sources`: no arguments → a list of SELECTs of (`customer_id`, `at`) rows: the last
  activities the retention policy looks at.
"""
from blinker import Namespace

_signals = Namespace()

timeline_sources = _signals.signal("customer-timeline-sources")
complaint_summaries = _signals.signal("customer-complaint-summaries")
root_cause_names = _signals.signal("customer-root-cause-names")
handling_minutes = _signals.signal("customer-handling-minutes")
# Sent after a recompute committed: `now=<datetime>`, `customers=<int>`, `transitions=<int>`.
segments_recomputed = _signals.signal("customer-segments-recomputed")
# Sent once per recorded segment transition after a recompute committed (at most
# `ANNOUNCE_LIMIT` per run): `customer_id`, `dimension`, `from_value`, `to_value`, `now`.
segment_changed = _signals.signal("customer-segment-changed")
ANNOUNCE_LIMIT = 10_000

erasure_identifiers = _signals.signal("customer-erasure-identifiers")
erasure_preview = _signals.signal("customer-erasure-preview")
customer_erasing = _signals.signal("customer-erasing")
export_sections = _signals.signal("customer-export-sections")
activity_sources = _signals.signal("customer-activity-sources")
