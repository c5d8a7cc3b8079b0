"""Series expansion with dateutil's rrule, in Amsterdam wall-clock time.

Occurrences keep their local time across daylight-saving changes (19:30 stays 19:30), as
RFC 5545 prescribes for a DTSTART with a TZID. A local time inside the spring gap (02:30 on
the last Sunday of March) is read with the offset before the gap, as the RFC says.
"""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, YEARLY, rrule, weekday, weekdays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KEY_FORMAT = "%Y%m%dT%H%M%SZ"
# (frequency, interval) per series kind; a quarter is every third month.
FREQUENCIES = {"weekly": (WEEKLY, 1), "monthly": (MONTHLY, 1), "quarterly": (MONTHLY, 3),
               "yearly": (YEARLY, 1)}
MAX_OCCURRENCES = 520


@dataclass
class Occurrence:
    event: object
    key: str
    original_start: datetime
    starts_at: datetime
    ends_at: datetime
    is_cancelled: bool = False
    is_changed: bool = False
    note: str = ""

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(AMSTERDAM)

    @property
    def month(self) -> tuple[int, int]:
        local = self.local_start
        return local.year, local.month


def occurrence_key(start: datetime) -> str:
    return start.astimezone(UTC).strftime(KEY_FORMAT)


def parse_key(key: str) -> datetime | None:
    try:
        return datetime.strptime(key, KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def to_utc(day: date, clock: time | None) -> datetime:
    """Amsterdam wall-clock time to UTC (midnight for all-day events)."""
    local = datetime.combine(day, clock or time(0, 0), tzinfo=AMSTERDAM)
    return local.astimezone(UTC)


def is_nonexistent(day: date, clock: time) -> bool:
    """True for a local time skipped by the switch to summer time."""
    local = datetime.combine(day, clock, tzinfo=AMSTERDAM)
    return local.astimezone(UTC).astimezone(AMSTERDAM).replace(tzinfo=None) != local.replace(
        tzinfo=None)


def nth_weekday(day: date) -> weekday:
    """'The first Tuesday' for 2 June; the fifth week becomes 'the last'."""
    position = (day.day - 1) // 7 + 1
    return weekdays[day.weekday()](position if position < 5 else -1)


def rule_for(event) -> rrule | None:
    """The dateutil rule of a series, or None for a single event."""
    if not event.recurrence:
        return None
    freq, interval = FREQUENCIES[event.recurrence]
    local_start = event.starts_at.astimezone(AMSTERDAM)
    options = {"dtstart": local_start, "interval": interval}
    if event.is_by_weekday and freq == MONTHLY:
        options["byweekday"] = nth_weekday(local_start.date())
    if event.repeat_count:
        options["count"] = event.repeat_count
    elif event.repeat_until:
        options["until"] = event.repeat_until.astimezone(AMSTERDAM)
    else:
        options["count"] = MAX_OCCURRENCES
    return rrule(freq, **options)


SPAN = timedelta(days=3660)


def series_starts(event, after: datetime | None = None, before: datetime | None = None):
    """Original UTC starts of a series (or the single start), between the bounds."""
    if not event.recurrence:
        starts = [event.starts_at]
    elif before is not None and before > event.starts_at + SPAN:
        rule = rule_for(event)
        lower = (after or event.starts_at).astimezone(AMSTERDAM)
        starts = [_local_to_utc(s) for s in rule.between(lower, before.astimezone(AMSTERDAM),
                                                          inc=True)]
    else:
        starts = _first_starts(event.starts_at, event.recurrence, event.is_by_weekday,
                               event.repeat_count, event.repeat_until)
        starts = starts[bisect_left(starts, after or event.starts_at):]
    return [s for s in starts if (after is None or s >= after) and (before is None or s <= before)]


# The agenda expands every running series on each view, and rrule walks from the first start;
# the starts of a series' first ten years depend only on these fields, so they are kept.
@lru_cache(maxsize=512)
def _first_starts(starts_at: datetime, recurrence: str, is_by_weekday: bool,
                  repeat_count: int | None, repeat_until: datetime | None) -> tuple:
    series = SimpleNamespace(starts_at=starts_at, recurrence=recurrence,
                             is_by_weekday=is_by_weekday, repeat_count=repeat_count,
                             repeat_until=repeat_until)
    upper = (starts_at + SPAN).astimezone(AMSTERDAM)
    # rrule drops microseconds, so its first start can lie just before `starts_at`.
    lower = starts_at.replace(microsecond=0).astimezone(AMSTERDAM)
    return tuple(_local_to_utc(s) for s in rule_for(series).between(lower, upper, inc=True))


def _local_to_utc(local: datetime) -> datetime:
    # rrule keeps the wall time and the zone; converting picks the right offset per date.
    return local.replace(fold=0).astimezone(UTC)


def last_end(event) -> datetime | None:
    """End of the last occurrence, None for a series without end."""
    rule = rule_for(event)
    duration = event.ends_at - event.starts_at
    if rule is None:
        return event.ends_at
    if not event.repeat_count and not event.repeat_until:
        return None
    starts = list(rule)
    return _local_to_utc(starts[-1]) + duration if starts else event.ends_at


def occurrences(event, after: datetime | None = None, before: datetime | None = None,
                include_cancelled: bool = True) -> list[Occurrence]:
    """Occurrences whose end lies after `after` and start before `before`, changes applied."""
    duration = event.ends_at - event.starts_at
    search_from = after - duration - timedelta(days=1) if after else None
    changes = {e.original_start_at: e for e in event.exceptions}
    result = []
    for start in series_starts(event, search_from, before):
        occurrence = _apply(event, start, duration, changes.get(start))
        if after is not None and occurrence.ends_at <= after:
            continue
        if before is not None and occurrence.starts_at > before:
            continue
        if occurrence.is_cancelled and not include_cancelled:
            continue
        result.append(occurrence)
    return result


def _apply(event, start: datetime, duration: timedelta, change) -> Occurrence:
    key = occurrence_key(start) if event.recurrence else ""
    occurrence = Occurrence(event=event, key=key, original_start=start, starts_at=start,
                            ends_at=start + duration, is_cancelled=event.is_cancelled)
    if change is not None:
        occurrence.starts_at = change.starts_at or start
        occurrence.ends_at = change.ends_at or occurrence.starts_at + duration
        occurrence.is_cancelled = event.is_cancelled or change.is_cancelled
        occurrence.is_changed = change.starts_at is not None or change.ends_at is not None
        occurrence.note = change.note
    return occurrence


def find_occurrence(event, key: str) -> Occurrence | None:
    """The occurrence with this key ('' for a single event), or None if the series has none."""
    if not event.recurrence:
        return _apply(event, event.starts_at, event.ends_at - event.starts_at, None) \
            if key == "" else None
    start = parse_key(key)
    if start is None or start not in series_starts(event, start, start):
        return None
    change = next((e for e in event.exceptions if e.original_start_at == start), None)
    return _apply(event, start, event.ends_at - event.starts_at, change)
