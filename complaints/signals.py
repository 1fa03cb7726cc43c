"""What the complaints domain announces. Other packages subscribe; complaints imports none of them.

Receivers run inside the same transaction as the change (before commit), so whatever they
write (a scheduled survey, a webhook) commits or rolls back with it. Every signal is sent
with `complaint=<Complaint>` and `now=<datetime>`.
"""
from blinker import Namespace

_signals = Namespace()

complaint_created = _signals.signal("complaint-created")
complaint_assigned = _signals.signal("complaint-assigned")
complaint_resolved = _signals.signal("complaint-resolved")
complaint_reopened = _signals.signal("complaint-reopened")
complaint_closed = _signals.signal("complaint-closed")

# Asked by the staff complaint page for the customer card (complaints cannot import the packages
# above it): called with `customer_id=<int>` and `viewer=<StaffUser>`; each receiver returns a list
# of `complaints.workspace.CardFact` (e.g. surveys: the last NPS and CSAT answers), showing the
# viewer only what `complaints.queries.tied_to_visible` lets them see.
customer_card_facts = _signals.signal("complaint-customer-card-facts")
