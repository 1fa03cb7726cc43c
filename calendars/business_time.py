"""Business-time arithmetic: opening hours, closed days, time zones. No Flask, no database.

A calendar is a time zone, opening hours per weekday (several intervals a day) and a set of
closed local dates (public holidays, custom closed days). `compile_calendar` turns it into the
list of its open spans in UTC over a range of years, with the business seconds before each span
(a running total): adding business time or measuring it between two moments is then two
binary searches (`BusinessClock.add`, `BusinessClock.between`). The same spans, written to the
`calendar_spans` table, let PostgreSQL recompute a million due dates in one UPDATE.

Moments are naive UTC datetimes (how the application stores them). Opening hours are local
wall-clock times: on the day Europe/Warsaw moves its clocks, 09:00-17:00 is still eight hours;
a span that starts or ends inside a skipped hour takes the moment the clocks jump to.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EPOCH = datetime(1970, 1, 1)
_DAY = timedelta(days=1)

# minutes since local midnight, [start, end); end may be 24 * 60
Interval = tuple[int, int]
WeeklyHours = dict[int, tuple[Interval, ...]]   # weekday (0 = Monday) -> intervals, sorted


class CalendarError(ValueError):
    """Input that does not describe a calendar; the message names the problem (for people).
    `template` and `params` let the layers above translate it: gettext(error.template, **error.params)."""

    def __init__(self, template: str, params: dict | None = None):
        super().__init__(template % params if params else template)
        self.template, self.params = template, params or {}


def _(template: str, **params) -> CalendarError:
    """A CalendarError with a message marked for translation (Babel extracts `_("…")`); no Flask here."""
    return CalendarError(template, params)


_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def _minutes(text: str, *, end: bool) -> int:
    match = _TIME.match(text)
    if not match:
        raise _("'%(text)s' is not a time (use HH:MM, e.g. 09:00)", text=text)
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not end)):
        raise _("'%(text)s' is not a time of day (00:00 to 24:00)", text=text)
    return hours * 60 + minutes


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.split(","):
        part = part.strip().lower()
        first, _dash, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            bad = first if first not in DAYS else last
            raise _("'%(day)s' is not a day (use mon, tue, wed, thu, fri, sat, sun)", day=bad)
        start, stop = DAYS.index(first), DAYS.index(last or first)
        if stop < start:
            raise _("'%(days)s': the range must run forwards (e.g. mon-fri)", days=part)
        days.extend(range(start, stop + 1))
    return days


def parse_hours(spec: str) -> WeeklyHours:
    """"mon-fri 09:00-17:00; sat 10:00-14:00" → {0: ((540, 1020),), …}. Several intervals a day:
    "mon-fri 08:00-12:00,13:00-17:00". Overlapping intervals of one day are refused."""
    hours: dict[int, list[Interval]] = {}
    spec = (spec or "").strip()
    if not spec:
        raise _("no opening hours given (e.g. \"mon-fri 09:00-17:00\")")
    for clause in re.split(r"[;\n]", spec):
        clause = clause.strip()
        if not clause:
            continue
        day_part, _space, time_part = clause.partition(" ")
        if not time_part.strip():
            raise _("'%(clause)s': give days and hours, e.g. \"mon-fri 09:00-17:00\"", clause=clause)
        days = _days(day_part)
        for piece in re.split(r"[,\s]+", time_part.strip()):
            start_text, dash, end_text = piece.partition("-")
            if not dash:
                raise _("'%(interval)s' is not an interval (use HH:MM-HH:MM)", interval=piece)
            start, end = _minutes(start_text, end=False), _minutes(end_text, end=True)
            if end <= start:
                raise _("'%(interval)s': the end must be after the start", interval=piece)
            for day in days:
                hours.setdefault(day, []).append((start, end))
    return normalise_hours(hours)


def normalise_hours(hours: dict[int, list[Interval]] | dict[str, list]) -> WeeklyHours:
    """Sorted intervals per weekday; overlaps refused. Accepts the stored JSON form too
    ({"0": [[540, 1020]], …})."""
    result: WeeklyHours = {}
    for day, intervals in hours.items():
        day = int(day)
        if not 0 <= day <= 6:
            raise _("%(day)s is not a weekday", day=day)
        ordered = sorted((int(a), int(b)) for a, b in intervals)
        for (a1, b1), (a2, _b2) in zip(ordered, ordered[1:]):
            if a2 < b1:
                raise _("%(day)s: opening hours overlap", day=DAYS[day])
        for a, b in ordered:
            if not (0 <= a < b <= 24 * 60):
                raise _("%(day)s: %(start)s-%(end)s is not an interval of the day", day=DAYS[day], start=a, end=b)
        if ordered:
            result[day] = tuple(ordered)
    return result


def format_hours(hours: WeeklyHours) -> str:
    """The inverse of parse_hours, days with the same hours grouped: "mon-fri 09:00-17:00"."""
    def hhmm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    clauses, day = [], 0
    while day < 7:
        intervals = hours.get(day)
        if not intervals:
            day += 1
            continue
        last = day
        while last + 1 < 7 and hours.get(last + 1) == intervals:
            last += 1
        days = DAYS[day] if last == day else f"{DAYS[day]}-{DAYS[last]}"
        clauses.append(days + " " + ",".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in intervals))
        day = last + 1
    return "; ".join(clauses)


def check_timezone(name: str) -> ZoneInfo:
    name = (name or "").strip()
    if not name or name not in available_timezones():
        raise _("'%(zone)s' is not a time zone (use an IANA name, e.g. Europe/Warsaw)", zone=name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _("'%(zone)s' is not a time zone (use an IANA name, e.g. Europe/Warsaw)", zone=name) from None


def check_holiday_country(country: str | None, region: str | None = None) -> tuple[str | None, str | None]:
    """("PL", None) for "pl"; CalendarError naming the problem for an unknown code or region."""
    import holidays

    country = (country or "").strip().upper() or None
    region = (region or "").strip() or None
    if country is None:
        if region:
            raise _("a holiday region needs a country")
        return None, None
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise _("'%(country)s' is not a country the holidays package knows (use an ISO 3166 code, e.g. PL)", country=country)
    if region is not None:
        regions = {r.upper(): r for r in supported[country]}
        if region.upper() not in regions:
            known = ", ".join(supported[country][:12]) or "none"
            raise _("'%(region)s' is not a region of %(country)s (known: %(known)s)", region=region, country=country, known=known)
        region = regions[region.upper()]
    return country, region


def holiday_language(country: str, language: str | None) -> str | None:
    """The language the holidays package names this country's holidays in for `language`
    (None: the package's default, the country's own)."""
    if not language:
        return None
    import holidays

    supported = getattr(holidays.country_holidays(country), "supported_languages", ()) or ()
    for candidate in (language, language.replace("_", "-"), f"{language}_{language.upper()}", "en_US", "en_GB"):
        if candidate in supported:
            return candidate
    return None


def holiday_dates(country: str | None, region: str | None, first_year: int, last_year: int,
                  language: str | None = None) -> dict[date, str]:
    if not country:
        return {}
    import holidays

    found = holidays.country_holidays(country, subdiv=region, years=range(first_year, last_year + 1),
                                      language=holiday_language(country, language))
    return {day: str(name) for day, name in sorted(found.items())}


def _utc_seconds(day: date, minutes: int, zone: ZoneInfo) -> float:
    local = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return local.replace(tzinfo=zone).timestamp()


def open_spans(zone_name: str, hours: WeeklyHours, closed: frozenset[date] | set[date],
               first: date, last: date) -> list[tuple[float, float]]:
    """The open spans (UTC epoch seconds) of the local days first..last, closed days left out.
    Adjacent spans (e.g. 00:00-24:00 two days running) are merged."""
    zone = check_timezone(zone_name)
    spans: list[tuple[float, float]] = []
    day = first
    while day <= last:
        if day not in closed:
            for start, end in hours.get(day.weekday(), ()):
                a, b = _utc_seconds(day, start, zone), _utc_seconds(day, end, zone)
                if b <= a:
                    continue
                if spans and spans[-1][1] >= a:
                    spans[-1] = (spans[-1][0], max(spans[-1][1], b))
                else:
                    spans.append((a, b))
        day += _DAY
    return spans


@dataclass
class BusinessClock:
    """A compiled calendar: open spans (UTC epoch seconds) and the business seconds before each."""

    starts: list[float]
    ends: list[float]
    before: list[float] = field(default_factory=list)   # business seconds before span i
    after: list[float] = field(default_factory=list)    # business seconds up to the end of span i

    def __post_init__(self) -> None:
        if not self.before:
            total, self.before, self.after = 0.0, [], []
            for a, b in zip(self.starts, self.ends):
                self.before.append(total)
                total += b - a
                self.after.append(total)

    @classmethod
    def from_spans(cls, spans: list[tuple[float, float]]) -> BusinessClock:
        return cls([a for a, _ in spans], [b for _, b in spans])

    @property
    def covers(self) -> tuple[float, float]:
        return (self.starts[0], self.ends[-1]) if self.starts else (0.0, 0.0)

    # --- on epoch seconds (the hot path) -----------------------------------------------------
    def position(self, moment: float) -> float:
        """Business seconds from the start of the range to `moment`."""
        i = bisect_right(self.starts, moment) - 1
        if i < 0:
            return 0.0
        return self.before[i] + min(moment - self.starts[i], self.ends[i] - self.starts[i])

    def moment(self, position: float) -> float:
        """The first moment at which `position` business seconds have passed (the end of a span
        rather than the start of the next one when it falls exactly on the boundary)."""
        i = bisect_left(self.after, position)
        if i >= len(self.after):
            raise _("the calendar's range of years is too short for this due date")
        if position <= self.before[i]:
            return self.starts[i]
        return self.starts[i] + (position - self.before[i])

    def add_seconds(self, moment: float, seconds: float) -> float:
        return self.moment(self.position(moment) + seconds)

    # --- on naive UTC datetimes --------------------------------------------------------------
    def add(self, start: datetime, seconds: float) -> datetime:
        """`start` plus `seconds` of business time (naive UTC in, naive UTC out)."""
        moment = self.moment(self.position((start - EPOCH).total_seconds()) + seconds)
        return EPOCH + timedelta(seconds=round(moment))

    def between(self, start: datetime, end: datetime) -> float:
        """Business seconds from start to end (0 if end is not after start)."""
        if end <= start:
            return 0.0
        return self.position((end - EPOCH).total_seconds()) - self.position((start - EPOCH).total_seconds())

    def is_open(self, at: datetime) -> bool:
        moment = (at - EPOCH).total_seconds()
        i = bisect_right(self.starts, moment) - 1
        return i >= 0 and moment < self.ends[i]

    def next_opening(self, at: datetime) -> datetime | None:
        """`at` if open then, else the start of the next open span (None past the range)."""
        if self.is_open(at):
            return at
        i = bisect_right(self.starts, (at - EPOCH).total_seconds())
        return EPOCH + timedelta(seconds=round(self.starts[i])) if i < len(self.starts) else None


def compile_calendar(zone_name: str, hours: WeeklyHours, closed: set[date] | frozenset[date],
                     first_year: int, last_year: int) -> BusinessClock:
    """The BusinessClock of local years first_year..last_year (a day either side for zones)."""
    if not hours:
        raise _("a calendar needs opening hours on at least one day")
    return BusinessClock.from_spans(open_spans(zone_name, hours, frozenset(closed),
                                               date(first_year, 1, 1), date(last_year, 12, 31)))


def to_utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
