"""Agenda pages: list, archive, month, detail, editing, registrations and calendar feeds."""

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from kennisnet.database import utcnow
from kennisnet.events import exports, feeds, ical, queries, recurrence, services
from kennisnet.events.forms import (
    ActionForm,
    CancelOccurrenceForm,
    EventForm,
    OccurrenceForm,
    ProxyRegistrationForm,
    RegisterForm,
)
from kennisnet.events.models import CalendarToken, Event, Registration
from kennisnet.extensions import db
from kennisnet.permissions import (
    can_create_event,
    can_edit_event,
    can_edit_for,
    can_register_for_event,
    can_see_online_link,
    public,
    require,
)
from kennisnet.routing import id_arg
from kennisnet.vocab import EVENT_KINDS, PROVINCES

bp = Blueprint("events", __name__)
PAGE_SIZE = 50


def _get_event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return event


def _get_occurrence(event: Event, key: str | None):
    found = recurrence.find_occurrence(event, key or "")
    if found is None:
        abort(404)
    return found


def _month_arg(value: str | None) -> date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError(year)
        return date(year, month, 1)
    except ValueError:
        today = utcnow().astimezone(recurrence.AMSTERDAM).date()
        return today.replace(day=1)


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _filter_context(agenda_filter):
    return {"filter": agenda_filter, "kinds": EVENT_KINDS, "province_names": PROVINCES,
            "organiser_name": queries.organiser_name(agenda_filter.organiser)}


@bp.route("/agenda")
@public
def agenda():
    """The coming occurrences, PAGE_SIZE at a time; `na` (a cursor) continues where the previous
    page stopped, `vanaf` (YYYY-MM, older links) starts at a month."""
    agenda_filter = queries.AgendaFilter.from_args(request.args)
    cursor = queries.Cursor.parse(request.args.get("na"))
    first = _month_arg(request.args.get("vanaf"))
    start = max(utcnow(), recurrence.to_utc(first, None))
    found, following = queries.agenda_page(start, agenda_filter, PAGE_SIZE, cursor)
    if found:
        first = found[0].local_start.date().replace(day=1)
    return render_template("events/agenda.html", months=queries.by_month(found),
                           first_month=first, following=following, is_continued=cursor is not None,
                           **_filter_context(agenda_filter))


@bp.route("/agenda/archief")
@public
def archive():
    agenda_filter = queries.AgendaFilter.from_args(request.args)
    found = queries.past_occurrences(utcnow(), 365, agenda_filter)
    return render_template("events/archive.html", months=queries.by_month(found),
                           **_filter_context(agenda_filter))


@bp.route("/agenda/maand/<int:year>/<int:month>")
@public
def month(year, month):
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        abort(404)
    agenda_filter = queries.AgendaFilter.from_args(request.args)
    start, end = queries.month_bounds(year, month)
    found = queries.occurrences_between(start, end - timedelta(seconds=1), agenda_filter)
    first = date(year, month, 1)
    template = "events/print.html" if request.args.get("afdrukken") else "events/month.html"
    return render_template(template, first=first, weeks=exports.month_weeks(first, found),
                           occurrences=found, previous=_add_months(first, -1),
                           following=_add_months(first, 1), **_filter_context(agenda_filter))


@bp.route("/agenda/<int:event_id>")
@public
def detail(event_id):
    event = _get_event(event_id)
    occurrence = _current_occurrence(event, request.args.get("keer"))
    registration = services.registration_of(event.id, occurrence.key, current_user)
    is_registered = registration is not None and registration.status == "confirmed"
    upcoming = recurrence.occurrences(event, utcnow())[:8] if event.recurrence else []
    return render_template(
        "events/detail.html", event=event, occurrence=occurrence, registration=registration,
        upcoming=upcoming, taken=services.confirmed_count(event.id, occurrence.key),
        position=queries.waiting_position(registration) if registration is not None
        and registration.status == "waiting" else None,
        show_link=can_see_online_link(current_user, event, is_registered),
        # A form makes a CSRF token, and so a session: none for visitors, whose page is kept.
        register_form=RegisterForm() if current_user.is_authenticated else None)


def _current_occurrence(event: Event, key: str | None):
    if key is not None or not event.recurrence:
        return _get_occurrence(event, key)
    coming = recurrence.occurrences(event, utcnow(), include_cancelled=False)
    if coming:
        return coming[0]
    everything = recurrence.occurrences(event)
    if not everything:
        abort(404)
    return everything[-1]


# --- Creating and editing ----------------------------------------------------------------

def _event_form(event: Event | None = None) -> EventForm:
    form = EventForm()
    organisations = queries.editable_organisations(current_user)
    if event is not None and event.organisation not in organisations:
        organisations.append(event.organisation)
    form.organisation_id.choices = [(o.id, o.name) for o in organisations]
    return form


def _chosen_organisation(form: EventForm):
    from kennisnet.initiatives.models import Organisation

    organisation = db.session.get(Organisation, form.organisation_id.data)
    require(organisation is not None and can_edit_for(current_user, organisation))
    return organisation


@bp.route("/agenda/nieuw", methods=["GET", "POST"])
def create():
    require(can_create_event(current_user))
    form = _event_form()
    if request.method == "GET" and id_arg(request.args.get("organisatie")):
        form.organisation_id.data = id_arg(request.args["organisatie"])
    if not form.validate_on_submit():
        return _form_page(form, None)
    event = services.create_event(_chosen_organisation(form), current_user, form.values())
    db.session.commit()
    flash(_("De bijeenkomst staat in de agenda."), "success")
    return redirect(url_for("events.detail", event_id=event.id))


def _form_page(form, event):
    status = 422 if form.is_submitted() else 200
    return render_template("events/form.html", form=form, event=event), status


@bp.route("/agenda/<int:event_id>/bewerken", methods=["GET", "POST"])
def edit(event_id):
    event = _get_event(event_id)
    require(can_edit_event(current_user, event))
    form = _event_form(event)
    if request.method == "GET":
        form.fill_from(event)
    if not form.validate_on_submit():
        return _form_page(form, event)
    values = form.values()
    organisation = _chosen_organisation(form)
    values["organisation_id"] = organisation.id
    services.update_event(event, values)
    db.session.commit()
    flash(_("De wijzigingen zijn opgeslagen."), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.route("/agenda/<int:event_id>/afgelasten", methods=["POST"])
def cancel(event_id):
    event = _get_event(event_id)
    require(can_edit_event(current_user, event))
    if ActionForm().validate_on_submit() and not event.is_cancelled:
        services.cancel_event(event)
        db.session.commit()
        flash(_("De bijeenkomst is afgelast. Deelnemers krijgen een e-mail."), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.route("/agenda/<int:event_id>/keer/<key>/wijzigen", methods=["GET", "POST"])
def edit_occurrence(event_id, key):
    event = _get_event(event_id)
    require(can_edit_event(current_user, event) and event.is_series)
    occurrence = _get_occurrence(event, key)
    form, cancel_form = OccurrenceForm(), CancelOccurrenceForm()
    if request.method == "GET":
        local_start, local_end = occurrence.local_start, occurrence.ends_at.astimezone(
            recurrence.AMSTERDAM)
        form.start_date.data, form.start_time.data = local_start.date(), local_start.time()
        form.end_time.data, form.note.data = local_end.time(), occurrence.note
    if not form.validate_on_submit():
        return render_template("events/occurrence.html", event=event, occurrence=occurrence,
                               form=form, cancel_form=cancel_form), \
            422 if form.is_submitted() else 200
    services.change_occurrence(event, occurrence, *form.period(), form.note.data or "")
    db.session.commit()
    flash(_("Deze keer is gewijzigd."), "success")
    return redirect(url_for("events.detail", event_id=event.id, keer=key))


@bp.route("/agenda/<int:event_id>/keer/<key>/afgelasten", methods=["POST"])
def cancel_occurrence(event_id, key):
    event = _get_event(event_id)
    require(can_edit_event(current_user, event) and event.is_series)
    occurrence = _get_occurrence(event, key)
    form = CancelOccurrenceForm()
    if form.validate_on_submit():
        services.cancel_occurrence(event, occurrence, form.note.data or "")
        db.session.commit()
        flash(_("Deze keer is afgelast. Deelnemers krijgen een e-mail."), "success")
    return redirect(url_for("events.detail", event_id=event.id, keer=key))


# --- Registrations -----------------------------------------------------------------------

@bp.route("/agenda/<int:event_id>/aanmelden", methods=["POST"])
def register(event_id):
    event = _get_event(event_id)
    occurrence = _get_occurrence(event, request.args.get("keer"))
    require(can_register_for_event(current_user, event))
    form = RegisterForm()
    if occurrence.is_cancelled or occurrence.ends_at < utcnow() or not form.validate_on_submit():
        flash(_("Aanmelden lukt niet voor deze bijeenkomst."), "error")
        return redirect(url_for("events.detail", event_id=event.id, keer=occurrence.key or None))
    registration = services.register(event, occurrence.key, current_user, form.needs.data or "",
                                     form.needs_transport.data)
    db.session.commit()
    flash(_("Je bent aangemeld.") if registration.status == "confirmed" else
          _("De bijeenkomst is vol. Je staat op de wachtlijst."), "success")
    return redirect(url_for("events.detail", event_id=event.id, keer=occurrence.key or None))


@bp.route("/agenda/<int:event_id>/afmelden", methods=["POST"])
def unregister(event_id):
    event = _get_event(event_id)
    key = request.args.get("keer", "")
    registration = services.registration_of(event.id, key, current_user)
    if registration is None or registration.status == "cancelled":
        abort(404)
    if ActionForm().validate_on_submit():
        services.cancel_registration(registration)
        db.session.commit()
        flash(_("Je bent afgemeld."), "success")
    return redirect(url_for("events.detail", event_id=event.id, keer=key or None))


@bp.route("/agenda/<int:event_id>/deelnemers", methods=["GET", "POST"])
def participants(event_id):
    event = _get_event(event_id)
    require(can_edit_event(current_user, event))
    occurrence = _current_occurrence(event, request.args.get("keer"))
    form = ProxyRegistrationForm()
    if form.validate_on_submit():
        registration = services.register_by_name(event, occurrence.key, current_user,
                                                 form.values())
        db.session.commit()
        flash(_("%(name)s is aangemeld.", name=registration.name) if
              registration.status == "confirmed" else
              _("%(name)s staat op de wachtlijst.", name=registration.name), "success")
        return redirect(url_for("events.participants", event_id=event.id,
                                keer=occurrence.key or None))
    rows = queries.registrations_for(event, occurrence.key)
    return render_template("events/participants.html", event=event, occurrence=occurrence,
                           registrations=rows, form=form), 422 if form.is_submitted() else 200


@bp.route("/agenda/<int:event_id>/deelnemers.csv")
def participants_csv(event_id):
    event = _get_event(event_id)
    require(can_edit_event(current_user, event))
    occurrence = _current_occurrence(event, request.args.get("keer"))
    return exports.participants_csv(event, queries.registrations_for(event, occurrence.key))


# --- Calendars ---------------------------------------------------------------------------

@bp.route("/agenda/<int:event_id>.ics")
@public
def event_ics(event_id):
    event = _get_event(event_id)
    is_registered = db.session.scalar(select(Registration.id).where(
        Registration.event_id == event.id, Registration.user_id == getattr(current_user, "id", -1),
        Registration.status == "confirmed").limit(1)) is not None
    body = ical.calendar([event], feeds.base_url(), event.title,
                         show_online_links=can_see_online_link(current_user, event, is_registered))
    response = feeds.ics_response(body, f"kennisnet-{event.id}.ics")
    response.headers["Content-Disposition"] = f'attachment; filename="kennisnet-{event.id}.ics"'
    return response


@bp.route("/agenda.ics")
@public
def feed():
    return feeds.public_feed(queries.AgendaFilter.from_args(request.args))


@bp.route("/agenda/mijn/<token>.ics")
@public
def personal_feed(token):
    owner = db.session.scalar(select(CalendarToken).where(CalendarToken.token == token))
    if owner is None:
        abort(404)
    registrations = queries.user_registrations(_user(owner.user_id), ("confirmed",))
    body = ical.personal_calendar(registrations, feeds.base_url(), _("Mijn kennisnet-agenda"))
    return feeds.ics_response(body, "mijn-agenda.ics", private=True)


def _user(user_id: int):
    from kennisnet.accounts.models import User

    return db.session.get(User, user_id)


@bp.route("/agenda/mijn")
def mine():
    token = db.session.get(CalendarToken, current_user.id)
    return render_template("events/mine.html", registrations=queries.user_registrations(
        current_user), token=token, action_form=ActionForm())


@bp.route("/agenda/mijn/link", methods=["POST"])
def renew_token():
    if ActionForm().validate_on_submit():
        services.calendar_token(current_user, renew=True)
        db.session.commit()
        flash(_("Je hebt een nieuwe agenda-link. De oude link werkt niet meer."), "success")
    return redirect(url_for("events.mine"))
