"""Business-hours calendars: time zone, opening hours, public holidays, closed days (issue 17)."""
