"""Event, occurrence and registration forms; times are entered in Amsterdam time."""

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional

from kennisnet.events import recurrence
from kennisnet.vocab import EVENT_KINDS, EVENT_RECURRENCES, PROVINCES, choices

MAX_REPEATS = 200
SPRING_GAP = _l("Dit tijdstip bestaat niet: die nacht gaat de klok een uur vooruit. "
                "Kies bijvoorbeeld 03:30.")


def _local(day: date, clock: time | None) -> datetime:
    return recurrence.to_utc(day, clock)


class EventForm(FlaskForm):
    organisation_id = SelectField(_l("Organisator"), coerce=int, validators=[DataRequired()])
    title = StringField(_l("Titel"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Soort bijeenkomst"), choices=choices(EVENT_KINDS),
                       validators=[DataRequired()])
    description = TextAreaField(_l("Beschrijving"), validators=[Optional(), Length(max=20000)],
                                description=_l("Je kunt Markdown gebruiken."))
    start_date = DateField(_l("Datum"), validators=[DataRequired()])
    is_all_day = BooleanField(_l("De hele dag"))
    start_time = TimeField(_l("Begintijd"), validators=[Optional()],
                           description=_l("Nederlandse tijd, bijvoorbeeld 19:30."))
    end_date = DateField(_l("Einddatum"), validators=[Optional()],
                         description=_l("Alleen invullen als het op een andere dag eindigt."))
    end_time = TimeField(_l("Eindtijd"), validators=[Optional()])
    recurrence = SelectField(_l("Herhalen"),
                             choices=choices(EVENT_RECURRENCES, blank=_l("Niet herhalen")),
                             validators=[Optional()])
    is_by_weekday = BooleanField(
        _l("Op dezelfde weekdag van de maand (bijvoorbeeld elke eerste dinsdag)"))
    repeat_until = DateField(_l("Herhalen tot en met"), validators=[Optional()])
    repeat_count = IntegerField(_l("Of: aantal keer"),
                                validators=[Optional(), NumberRange(min=1, max=MAX_REPEATS)])
    is_online = BooleanField(_l("Online bijeenkomst"))
    online_url = URLField(_l("Link naar de online bijeenkomst"),
                          validators=[Optional(), URL(), Length(max=500)],
                          description=_l("Alleen aangemelde deelnemers zien deze link."))
    venue_name = StringField(_l("Naam van de locatie"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Adres"), validators=[Optional(), Length(max=200)])
    place = StringField(_l("Plaats"), validators=[Optional(), Length(max=120)])
    province = SelectField(_l("Provincie"), choices=choices(PROVINCES, blank=_l("Kies")),
                           validators=[Optional()])
    latitude = FloatField(_l("Breedtegraad"), validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField(_l("Lengtegraad"), validators=[Optional(), NumberRange(-180, 180)])
    is_registration_required = BooleanField(_l("Aanmelden is nodig"), default=True)
    capacity = IntegerField(_l("Aantal plaatsen"),
                            validators=[Optional(), NumberRange(min=1, max=100000)],
                            description=_l("Leeg laten als er geen maximum is."))
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=300)])
    practical_info = TextAreaField(_l("Praktische informatie"),
                                   validators=[Optional(), Length(max=5000)])
    is_wheelchair_accessible = BooleanField(_l("Rolstoeltoegankelijk"))
    has_hearing_loop = BooleanField(_l("Ringleiding aanwezig"))
    parking = StringField(_l("Parkeren"), validators=[Optional(), Length(max=300)])
    public_transport = StringField(_l("Openbaar vervoer"), validators=[Optional(), Length(max=300)])
    offers_transport = BooleanField(_l("Vervoer nodig? Laat het weten: wij regelen het"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self._check_times() and self._check_place() and self._check_series() and ok

    def _check_times(self) -> bool:
        if self.start_date.data is None:
            return False
        if not self.is_all_day.data:
            if self.start_time.data is None:
                self.start_time.errors.append(_l("Vul een begintijd in, of kies 'De hele dag'."))
                return False
            for clock in (self.start_time, self.end_time):
                day = self.end_date.data if clock is self.end_time and self.end_date.data \
                    else self.start_date.data
                if clock.data and recurrence.is_nonexistent(day, clock.data):
                    clock.errors.append(SPRING_GAP)
                    return False
        starts_at, ends_at = self.period()
        if ends_at <= starts_at:
            self.end_time.errors.append(_l("Het einde moet na het begin liggen."))
            return False
        return True

    def _check_place(self) -> bool:
        if self.is_online.data and not self.online_url.data:
            self.online_url.errors.append(_l("Vul de link in voor een online bijeenkomst."))
            return False
        if not self.is_online.data and not self.place.data:
            self.place.errors.append(_l("Vul de plaats in, of kies 'Online bijeenkomst'."))
            return False
        return True

    def _check_series(self) -> bool:
        until = self.repeat_until.data
        if self.recurrence.data and until and until < self.start_date.data:
            self.repeat_until.errors.append(_l("Deze datum ligt voor de eerste keer."))
            return False
        return True

    def period(self) -> tuple[datetime, datetime]:
        """Start and end in UTC; an all-day event ends at midnight after its last day."""
        first = self.start_date.data
        last = self.end_date.data or first
        if self.is_all_day.data:
            return _local(first, None), _local(last + timedelta(days=1), None)
        end_clock = self.end_time.data or (datetime.combine(first, self.start_time.data)
                                           + timedelta(hours=1)).time()
        return _local(first, self.start_time.data), _local(last, end_clock)

    def values(self) -> dict:
        starts_at, ends_at = self.period()
        series = self.recurrence.data or None
        until = self.repeat_until.data if series else None
        return {
            "title": self.title.data.strip(), "kind": self.kind.data,
            "description": self.description.data or "", "starts_at": starts_at,
            "ends_at": ends_at, "is_all_day": self.is_all_day.data, "recurrence": series,
            "is_by_weekday": bool(series and self.is_by_weekday.data),
            "repeat_until": _local(until + timedelta(days=1), None) if until else None,
            "repeat_count": self.repeat_count.data if series else None,
            "is_online": self.is_online.data,
            "online_url": (self.online_url.data or "") if self.is_online.data else "",
            "venue_name": self.venue_name.data or "", "address": self.address.data or "",
            "place": self.place.data or "", "province": self.province.data or None,
            "latitude": self.latitude.data, "longitude": self.longitude.data,
            "capacity": self.capacity.data,
            "is_registration_required": self.is_registration_required.data,
            "contact": self.contact.data or "", "practical_info": self.practical_info.data or "",
            "is_wheelchair_accessible": self.is_wheelchair_accessible.data,
            "has_hearing_loop": self.has_hearing_loop.data, "parking": self.parking.data or "",
            "public_transport": self.public_transport.data or "",
            "offers_transport": self.offers_transport.data,
        }

    def fill_from(self, event) -> None:
        """Put an event's stored values back into the form, in Amsterdam time."""
        start = event.starts_at.astimezone(recurrence.AMSTERDAM)
        end = event.ends_at.astimezone(recurrence.AMSTERDAM)
        if event.is_all_day:
            end = end - timedelta(days=1)
        for name in ("title", "kind", "description", "is_all_day", "is_online", "online_url",
                     "venue_name", "address", "place", "latitude", "longitude", "capacity",
                     "is_registration_required", "contact", "practical_info",
                     "is_wheelchair_accessible", "has_hearing_loop", "parking",
                     "public_transport", "offers_transport", "repeat_count", "is_by_weekday"):
            getattr(self, name).data = getattr(event, name)
        self.organisation_id.data = event.organisation_id
        self.province.data = event.province or ""
        self.recurrence.data = event.recurrence or ""
        self.start_date.data, self.start_time.data = start.date(), start.time()
        self.end_date.data = end.date() if end.date() != start.date() else None
        self.end_time.data = end.time()
        if event.repeat_until:
            until = event.repeat_until.astimezone(recurrence.AMSTERDAM) - timedelta(days=1)
            self.repeat_until.data = until.date()


class OccurrenceForm(FlaskForm):
    start_date = DateField(_l("Nieuwe datum"), validators=[DataRequired()])
    start_time = TimeField(_l("Nieuwe begintijd"), validators=[DataRequired()])
    end_time = TimeField(_l("Nieuwe eindtijd"), validators=[DataRequired()])
    note = StringField(_l("Toelichting voor deelnemers"), validators=[Optional(), Length(max=300)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        for clock in (self.start_time, self.end_time):
            if recurrence.is_nonexistent(self.start_date.data, clock.data):
                clock.errors.append(SPRING_GAP)
                return False
        if self.end_time.data <= self.start_time.data:
            self.end_time.errors.append(_l("Het einde moet na het begin liggen."))
            return False
        return True

    def period(self) -> tuple[datetime, datetime]:
        day = self.start_date.data
        return _local(day, self.start_time.data), _local(day, self.end_time.data)


class CancelOccurrenceForm(FlaskForm):
    note = StringField(_l("Reden (voor de deelnemers)"), validators=[Optional(), Length(max=300)])


class RegisterForm(FlaskForm):
    needs = TextAreaField(_l("Wat heb je nodig om mee te doen?"),
                          validators=[Optional(), Length(max=1000)],
                          description=_l("Bijvoorbeeld: rolstoelplek, ringleiding, dieetwens."))
    needs_transport = BooleanField(_l("Ik heb vervoer nodig"))


class ProxyRegistrationForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(), Length(max=120)])
    email = StringField(_l("E-mailadres"), validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(_l("Telefoonnummer"), validators=[Optional(), Length(max=40)])
    needs = TextAreaField(_l("Wat heeft deze persoon nodig?"),
                          validators=[Optional(), Length(max=1000)])
    needs_transport = BooleanField(_l("Heeft vervoer nodig"))

    def values(self) -> dict:
        return {"name": self.name.data.strip(), "email": (self.email.data or "").strip(),
                "phone": (self.phone.data or "").strip(), "needs": self.needs.data or "",
                "needs_transport": self.needs_transport.data}


class ActionForm(FlaskForm):
    """Only the CSRF token: for buttons such as afmelden and afgelasten."""
