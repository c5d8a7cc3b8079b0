"""Month grids and the participant list as CSV."""

import calendar
import csv
import io
from datetime import date

from flask import Response
from flask_babel import gettext as _

from kennisnet.events.recurrence import AMSTERDAM

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def month_weeks(first: date, occurrences) -> list[list[tuple[date | None, list]]]:
    """Weeks (Monday first) of (day or None, occurrences that day) for a month table."""
    per_day: dict[date, list] = {}
    for occurrence in occurrences:
        per_day.setdefault(occurrence.local_start.date(), []).append(occurrence)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [[(day, per_day.get(day, [])) if day.month == first.month else (None, [])
             for day in week] for week in weeks]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def participants_csv(event, registrations) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("Naam"), _("E-mailadres"), _("Telefoon"), _("Status"),
                     _("Vervoer nodig"), _("Wat nodig is"), _("Aangemeld op"),
                     _("Aangemeld door organisator")])
    status_names = {"confirmed": _("aangemeld"), "waiting": _("wachtlijst")}
    for registration in registrations:
        writer.writerow([_cell(v) for v in (
            registration.display_name, registration.address, registration.phone,
            status_names.get(registration.status, registration.status),
            _("ja") if registration.needs_transport else _("nee"), registration.needs,
            registration.created_at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M"),
            _("ja") if registration.registered_by_id else _("nee"))])
    # A byte-order mark lets Excel open the file as UTF-8 (ë, ö).
    body = "\ufeff" + buffer.getvalue()
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="deelnemers-{event.id}.csv"'
    return response
