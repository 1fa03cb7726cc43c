"""What the staff domain announces; audit subscribes, staff imports nobody above it.

Receivers run before the view commits, so what they write commits with the request.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the app; kwargs: user=<StaffUser>
staff_signed_in = _signals.signal("staff-signed-in")
# sender: the app; kwargs: user=<StaffUser>, everywhere=<bool>
staff_signed_out = _signals.signal("staff-signed-out")
# sender: the app; kwargs: email=<str> (as typed, lower-cased)
staff_sign_in_failed = _signals.signal("staff-sign-in-failed")
