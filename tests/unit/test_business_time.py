"""Business-time arithmetic (calendars.business_time): no Flask, no database. Moments are naive UTC."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from calendars.business_time import (CalendarError, check_holiday_country, check_timezone, compile_calendar,
                                     format_hours, holiday_dates, parse_hours)

NINE_TO_FIVE = parse_hours("mon-fri 09:00-17:00")
HOUR = 3600


def clock(zone="Europe/Warsaw", hours=NINE_TO_FIVE, country=None, closed=(), years=(2026, 2028)):
    days = set(holiday_dates(country, None, years[0] - 1, years[1] + 1)) | set(closed)
    return compile_calendar(zone, hours, days, *years)


def test_hours_are_parsed_with_several_intervals_a_day_and_printed_back():
    hours = parse_hours("mon-thu 08:00-12:00,13:00-16:30; fri 08:00-14:00; sat 10:00-12:00")
    assert hours[0] == ((480, 720), (780, 990))
    assert hours[4] == ((480, 840),) and hours[5] == ((600, 720),) and 6 not in hours
    assert format_hours(hours) == "mon-thu 08:00-12:00,13:00-16:30; fri 08:00-14:00; sat 10:00-12:00"
    assert parse_hours("mon-sun 00:00-24:00")[6] == ((0, 1440),)


@pytest.mark.parametrize("spec, problem", [
    ("mon-fry 09:00-17:00", "'fry' is not a day"),
    ("mon-fri 09:00-25:00", "'25:00' is not a time of day"),
    ("mon-fri 9-17", "'9' is not a time"),
    ("mon-fri 17:00-09:00", "the end must be after the start"),
    ("fri-mon 09:00-17:00", "must run forwards"),
    ("mon 09:00-13:00,12:00-17:00", "overlap"),
    ("mon-fri", "give days and hours"),
    ("", "no opening hours"),
])
def test_bad_hours_are_refused_naming_the_problem(spec, problem):
    with pytest.raises(CalendarError, match=problem):
        parse_hours(spec)


def test_bad_time_zone_and_country_are_refused():
    with pytest.raises(CalendarError, match="'Europe/Warsow' is not a time zone"):
        check_timezone("Europe/Warsow")
    with pytest.raises(CalendarError, match="'XX' is not a country"):
        check_holiday_country("xx")
    assert check_holiday_country("cz") == ("CZ", None)
    assert check_holiday_country("DE", "by") == ("DE", "BY")
    with pytest.raises(CalendarError, match="not a region of DE"):
        check_holiday_country("DE", "ZZ")


def test_friday_afternoon_complaint_is_due_on_monday_not_saturday():
    warsaw = clock()
    friday_16 = datetime(2027, 1, 15, 15, 0)          # 16:00 in Warsaw (UTC+1)
    assert warsaw.add(friday_16, 8 * HOUR) == datetime(2027, 1, 18, 15, 0)  # Monday 16:00 local
    assert warsaw.add(friday_16, HOUR) == datetime(2027, 1, 15, 16, 0)      # 17:00 Friday, the end
    assert warsaw.between(friday_16, datetime(2027, 1, 18, 9, 0)) == 2 * HOUR  # Fri 16-17 + Mon 09-10


def test_filed_at_night_counts_from_the_next_opening():
    warsaw = clock()
    saturday = datetime(2027, 1, 16, 12, 0)
    assert warsaw.add(saturday, 2 * HOUR) == datetime(2027, 1, 18, 10, 0)   # Monday 11:00 local
    assert not warsaw.is_open(saturday)
    assert warsaw.next_opening(saturday) == datetime(2027, 1, 18, 8, 0)


def test_public_holidays_of_poland_romania_and_czechia_are_closed():
    # 3 May 2027 (Monday): Polish Constitution Day — open in Bucharest and Prague.
    before = datetime(2027, 4, 30, 14, 0)   # Friday 16:00 in Warsaw and Prague (UTC+2), 17:00 in Bucharest
    assert clock(country="PL").add(before, 2 * HOUR) == datetime(2027, 5, 4, 8, 0)   # Tue 10:00 local
    assert clock("Europe/Prague", country="CZ").add(before, 2 * HOUR) == datetime(2027, 5, 3, 8, 0)
    # Romania: 1 June (Children's Day, Tuesday 2027) is a public holiday; Prague and Warsaw work.
    monday_late = datetime(2027, 5, 31, 13, 0)     # 16:00 in Bucharest (UTC+3)
    assert clock("Europe/Bucharest", country="RO").add(monday_late, 2 * HOUR) == datetime(2027, 6, 2, 7, 0)
    # Czechia: 28 October (Tuesday 2025… Thursday 2027) is Independence Day.
    wednesday = datetime(2027, 10, 27, 13, 0)      # 15:00 in Prague (UTC+2)
    assert clock("Europe/Prague", country="CZ").add(wednesday, 4 * HOUR) == datetime(2027, 10, 29, 9, 0)


def test_custom_closed_days_are_closed():
    warsaw = clock(closed={date(2027, 1, 18)})
    assert warsaw.add(datetime(2027, 1, 15, 15, 0), 2 * HOUR) == datetime(2027, 1, 19, 9, 0)


def test_dst_spring_forward_keeps_eight_local_hours():
    # Europe/Warsaw moves 02:00 → 03:00 on Sunday 28 March 2027; Monday 29 opens at 09:00 CEST (07:00 UTC).
    warsaw = clock()
    friday_16 = datetime(2027, 3, 26, 15, 0)       # 16:00 CET
    assert warsaw.add(friday_16, 2 * HOUR) == datetime(2027, 3, 29, 8, 0)  # Monday 10:00 CEST
    assert warsaw.between(datetime(2027, 3, 29, 7, 0), datetime(2027, 3, 29, 15, 0)) == 8 * HOUR


def test_dst_fall_back_and_a_day_open_round_the_clock():
    # 31 October 2027, 03:00 CEST → 02:00 CET: a 24-hour calendar has 25 hours that Sunday.
    always = clock(hours=parse_hours("mon-sun 00:00-24:00"))
    start, end = datetime(2027, 10, 30, 22, 0), datetime(2027, 10, 31, 23, 0)   # local midnight to midnight
    assert always.between(start, end) == 25 * HOUR
    spring = clock(hours=parse_hours("sun 00:00-24:00"))
    assert spring.between(datetime(2027, 3, 27, 23, 0), datetime(2027, 3, 28, 22, 0)) == 23 * HOUR
    # Fall back with 9-to-5: Friday 29 October closes 17:00 CEST = 15:00 UTC, Monday 1 November opens 09:00 CET = 08:00 UTC.
    warsaw = clock()
    friday_16 = datetime(2027, 10, 29, 14, 0)      # 16:00 CEST
    assert warsaw.add(friday_16, 2 * HOUR) == datetime(2027, 11, 1, 9, 0)  # Monday 10:00 CET
    assert clock(country="PL").add(friday_16, 2 * HOUR) == datetime(2027, 11, 2, 9, 0)  # 1 Nov: All Saints'


def test_adding_then_measuring_gives_the_same_business_time():
    warsaw = clock(country="PL", hours=parse_hours("mon-fri 08:00-12:00,13:00-17:00; sat 10:00-13:00"))
    start = datetime(2027, 2, 3, 10, 17, 30)
    for seconds in (1, 59, HOUR, 7 * HOUR, 40 * HOUR, 500 * HOUR):
        due = warsaw.add(start, seconds)
        assert abs(warsaw.between(start, due) - seconds) <= 1
        assert warsaw.is_open(due) or warsaw.between(due, due.replace(second=0) if due.second else due) == 0


def test_a_due_date_beyond_the_compiled_years_is_an_error_not_a_wrong_date():
    short = clock(years=(2027, 2027))
    with pytest.raises(CalendarError, match="too short"):
        short.add(datetime(2027, 12, 30, 9, 0), 100 * HOUR)
