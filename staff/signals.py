"""What the staff domain announces; audit subscribes, staff imports nobody above it.

Receivers run before the view commits, so what they write commits with the request.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the app; kwargs: user=<StaffUser>, method=<str> ("password", "password+totp", …)
staff_signed_in = _signals.signal("staff-signed-in")
# sender: the app; kwargs: user=<StaffUser>, everywhere=<bool>
staff_signed_out = _signals.signal("staff-signed-out")
# sender: the app; kwargs: email=<str> (as typed, lower-cased)
staff_sign_in_failed = _signals.signal("staff-sign-in-failed")
# sender: the app; kwargs: user=<StaffUser>, url=<str> (the reset link, token included),
# expires_at=<datetime>. notifications queues the e-mail in the same transaction.
password_reset_requested = _signals.signal("staff-password-reset-requested")
# sender: the app; kwargs: user=<StaffUser>
password_reset_done = _signals.signal("staff-password-reset-done")
# sender: the app; kwargs: user=<StaffUser> (whose password), actor=<StaffUser> (the admin),
# sessions_ended=<int>. Audit records it in the same transaction.
password_set_by_admin = _signals.signal("staff-password-set-by-admin")
