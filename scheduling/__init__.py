"""The clock: every scheduled job is registered here, run by APScheduler or by `jobs run-due`."""
