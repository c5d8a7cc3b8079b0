"""RFC 5545 calendars built with `icalendar`: VTIMEZONE, stable UIDs, SEQUENCE, RRULE, EXDATE,
RECURRENCE-ID for moved occurrences and STATUS:CANCELLED."""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard, vRecur
from icalendar import Event as VEvent

from kennisnet.events.recurrence import AMSTERDAM, find_occurrence, nth_weekday
from kennisnet.markdown import plain_text

FREQ = {"weekly": ("WEEKLY", 1), "monthly": ("MONTHLY", 1), "quarterly": ("MONTHLY", 3),
        "yearly": ("YEARLY", 1)}
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
PRODID = "-//kennisnet//agenda//NL"


@lru_cache(maxsize=1)
def _vtimezone() -> Timezone:
    """Europe/Amsterdam with yearly rules (EU rules since 1996) rather than a list of RDATEs:
    every client understands RRULE-based zones, some (dateutil's tzical) misread RDATE lists."""
    zone = Timezone()
    zone.add("tzid", "Europe/Amsterdam")
    zone.add("x-lic-location", "Europe/Amsterdam")
    zone.add_component(_observance(TimezoneDaylight, "CEST", datetime(1996, 3, 31, 2, 0),
                                   (1, 2), 3))
    zone.add_component(_observance(TimezoneStandard, "CET", datetime(1996, 10, 27, 3, 0),
                                   (2, 1), 10))
    return zone


def _observance(kind, name: str, start: datetime, offsets: tuple[int, int], month: int):
    observance = kind()
    observance.add("tzname", name)
    observance.add("dtstart", start)
    observance.add("tzoffsetfrom", timedelta(hours=offsets[0]))
    observance.add("tzoffsetto", timedelta(hours=offsets[1]))
    observance.add("rrule", vRecur({"freq": "YEARLY", "bymonth": month, "byday": "-1SU"}))
    return observance


def calendar(events, base_url: str, name: str, show_online_links: bool = False) -> bytes:
    """A whole VCALENDAR for these events (with their exceptions loaded)."""
    return from_fragments([fragment(event, base_url, show_online_links) for event in events],
                          name)


def fragment(event, base_url: str, show_online_links: bool = False) -> str:
    """The event's VEVENT component(s) as text, ready to be placed inside a VCALENDAR."""
    return "".join(component.to_ical().decode()
                   for component in event_components(event, base_url, show_online_links))


def from_fragments(fragments, name: str) -> bytes:
    head, tail = _envelope(name)
    return "".join((head, *fragments, tail)).encode()


def _envelope(name: str) -> tuple[str, str]:
    """The VCALENDAR text before and after the events."""
    text = _empty_calendar(name).to_ical().decode()
    end = "END:VCALENDAR\r\n"
    return text[: -len(end)], end


def _empty_calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Amsterdam")
    cal.add_component(_vtimezone())
    return cal


def _local(moment: datetime, all_day: bool):
    local = moment.astimezone(AMSTERDAM)
    return local.date() if all_day else local


def event_components(event, base_url: str, show_online_links: bool) -> list[VEvent]:
    master = _base(event, base_url, show_online_links)
    master.add("dtstart", _local(event.starts_at, event.is_all_day))
    master.add("dtend", _local(event.ends_at, event.is_all_day))
    master.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    components = [master]
    if event.recurrence:
        master.add("rrule", _rrule(event))
        cancelled = [_local(c.original_start_at, event.is_all_day)
                     for c in event.exceptions if c.is_cancelled]
        if cancelled:
            master.add("exdate", cancelled)
        components.extend(_moved(event, c, base_url, show_online_links)
                          for c in event.exceptions if not c.is_cancelled and c.starts_at)
    return components


def _base(event, base_url: str, show_online_links: bool) -> VEvent:
    component = VEvent()
    component.add("uid", event.uid)
    component.add("dtstamp", event.updated_at.astimezone(UTC))
    component.add("created", event.created_at.astimezone(UTC))
    component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("sequence", event.sequence)
    component.add("summary", event.title)
    link = f"{base_url}/agenda/{event.id}"
    component.add("url", link)
    component.add("description", _description(event, link, show_online_links))
    location = event.public_location
    if event.is_online:
        location = event.online_url if show_online_links else "Online"
    if location:
        component.add("location", location)
    if event.latitude is not None and event.longitude is not None:
        component.add("geo", (event.latitude, event.longitude))
    component.add("categories", [event.kind])
    return component


def _description(event, link: str, show_online_links: bool) -> str:
    parts = [plain_text(event.description)]
    if event.is_online and show_online_links and event.online_url:
        parts.append(f"Online: {event.online_url}")
    parts.append(link)
    return "\n\n".join(part for part in parts if part)


def _rrule(event) -> vRecur:
    freq, interval = FREQ[event.recurrence]
    rule = {"freq": freq}
    if interval != 1:
        rule["interval"] = interval
    if event.is_by_weekday and freq == "MONTHLY":
        day = nth_weekday(event.starts_at.astimezone(AMSTERDAM).date())
        rule["byday"] = f"{day.n}{DAY_CODES[day.weekday]}"
    if event.repeat_count:
        rule["count"] = event.repeat_count
    elif event.repeat_until:
        # UNTIL is UTC for a DTSTART with TZID, a DATE for all-day series (RFC 5545 3.3.10).
        until = event.repeat_until - timedelta(seconds=1)
        rule["until"] = _local(until, True) if event.is_all_day else until.astimezone(UTC)
    return vRecur(rule)


def _moved(event, change, base_url: str, show_online_links: bool) -> VEvent:
    component = _base(event, base_url, show_online_links)
    component.add("recurrence-id", _local(change.original_start_at, event.is_all_day))
    duration = event.ends_at - event.starts_at
    component.add("dtstart", _local(change.starts_at, event.is_all_day))
    component.add("dtend", _local(change.ends_at or change.starts_at + duration,
                                  event.is_all_day))
    component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    if change.note:
        component["description"] = f"{change.note}\n\n{component['description']}"
    return component


def occurrence_component(occurrence, base_url: str, show_online_links: bool) -> VEvent:
    """One occurrence of a series as its own event (a personal feed holds only the occurrences
    someone signed up for); its UID is the series UID plus the occurrence key."""
    event = occurrence.event
    component = _base(event, base_url, show_online_links)
    component["uid"] = f"event-{event.id}-{occurrence.key}@{event.uid.split('@')[1]}"
    component["url"] = f"{base_url}/agenda/{event.id}?keer={occurrence.key}"
    component.add("dtstart", _local(occurrence.starts_at, event.is_all_day))
    component.add("dtend", _local(occurrence.ends_at, event.is_all_day))
    component.add("status", "CANCELLED" if occurrence.is_cancelled else "CONFIRMED")
    return component


def personal_calendar(registrations, base_url: str, name: str) -> bytes:
    """A participant's own feed: whole single events, and only the chosen series occurrences."""
    texts = []
    for registration in registrations:
        event = registration.event
        if not event.recurrence:
            texts.append(fragment(event, base_url, show_online_links=True))
            continue
        occurrence = find_occurrence(event, registration.occurrence)
        if occurrence is not None:
            texts.append(occurrence_component(occurrence, base_url, True).to_ical().decode())
    return from_fragments(texts, name)
