"""What the customers package offers to others without importing them.

`timeline_sources`: packages above customers (surveys, …) connect a function that contributes
entries to a customer's interaction timeline. It is called with `customer_id=<int>` and
`limit=<int>` and returns a list of `customers.timeline.TimelineEntry`. customers never imports
them; they are connected in `factory.register_signal_receivers`.
"""
from blinker import Namespace

_signals = Namespace()

timeline_sources = _signals.signal("customer-timeline-sources")
# Sent after a recompute committed: `now=<datetime>`, `customers=<int>`, `transitions=<int>`.
segments_recomputed = _signals.signal("customer-segments-recomputed")
# Sent once per recorded segment transition after a recompute committed (at most
# `ANNOUNCE_LIMIT` per run): `customer_id`, `dimension`, `from_value`, `to_value`, `now`.
segment_changed = _signals.signal("customer-segment-changed")
ANNOUNCE_LIMIT = 10_000
