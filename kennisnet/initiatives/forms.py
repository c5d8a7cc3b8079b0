"""Forms for the directory filters, registering and editing an initiative, and members."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import (
    EmailField,
    FloatField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from kennisnet.initiatives.queries import DirectoryFilter, in_netherlands
from kennisnet.vocab import (
    INITIATIVE_KINDS,
    INITIATIVE_STATUSES,
    LEGAL_FORMS,
    MEMBERSHIP_ROLES,
    PROVINCES,
    SERVICES,
    choices,
)


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DirectoryFilterForm(Form):
    """Read from the query string: no CSRF, since it only reads."""

    q = SearchField(_l("Zoek op naam of plaats"), validators=[Optional(), Length(max=100)])
    provincie = SelectField(_l("Provincie"),
                            choices=choices(PROVINCES, blank=_l("Alle provincies")),
                            validators=[Optional()])
    soort = SelectField(_l("Soort initiatief"),
                        choices=choices(INITIATIVE_KINDS, blank=_l("Alle soorten")),
                        validators=[Optional()])
    rechtsvorm = SelectField(_l("Rechtsvorm"),
                             choices=choices(LEGAL_FORMS, blank=_l("Alle rechtsvormen")),
                             validators=[Optional()])
    status = SelectField(_l("Status"), choices=choices(INITIATIVE_STATUSES, blank=_l("Alle")),
                         validators=[Optional()])
    dienst = CheckboxListField(_l("Diensten"), choices=choices(SERVICES), validators=[Optional()])

    def to_filter(self) -> DirectoryFilter:
        return DirectoryFilter(
            province=self.provincie.data or "", kind=self.soort.data or "",
            legal_form=self.rechtsvorm.data or "", status=self.status.data or "",
            services=tuple(self.dienst.data or ()), text=(self.q.data or "").strip(),
        )


def _this_year_plus_one() -> int:
    return date.today().year + 1


class InitiativeForm(FlaskForm):
    name = StringField(_l("Naam van het initiatief"), validators=[
        InputRequired(_l("Vul de naam van het initiatief in.")), Length(max=200)])
    description = TextAreaField(
        _l("Wat doet het initiatief?"),
        validators=[InputRequired(_l("Vertel kort wat het initiatief doet.")), Length(max=5000)],
        description=_l("Vertel in een paar zinnen wat jullie doen en voor wie."))
    kind = SelectField(_l("Soort initiatief"), choices=choices(INITIATIVE_KINDS, blank=_l("Kies")),
                       validators=[InputRequired(_l("Kies een soort initiatief."))])
    legal_form = SelectField(_l("Rechtsvorm"), choices=choices(LEGAL_FORMS, blank=_l("Kies")),
                             validators=[InputRequired(_l("Kies een rechtsvorm."))])
    status = SelectField(_l("Status"), choices=choices(INITIATIVE_STATUSES, blank=_l("Kies")),
                         validators=[InputRequired(_l("Kies een status."))])
    services = CheckboxListField(_l("Welke diensten bieden jullie?"), choices=choices(SERVICES),
                                 validators=[Optional()])
    place = StringField(_l("Plaats"), validators=[
        InputRequired(_l("Vul de plaats in.")), Length(max=120)])
    municipality = StringField(_l("Gemeente"), validators=[Optional(), Length(max=120)])
    province = SelectField(_l("Provincie"), choices=choices(PROVINCES, blank=_l("Kies")),
                           validators=[InputRequired(_l("Kies een provincie."))])
    latitude = FloatField(
        _l("Breedtegraad"), validators=[Optional()],
        description=_l("Voor de kaart, bijvoorbeeld 52.0822. Laat leeg als je het niet weet."))
    longitude = FloatField(_l("Lengtegraad"), validators=[Optional()],
                           description=_l("Bijvoorbeeld 5.3163."))
    founded_year = IntegerField(_l("Jaar van oprichting"), validators=[Optional()])
    website = URLField(_l("Website"), validators=[Optional(), URL(message=_l(
        "Vul een volledig webadres in, dat begint met https://.")), Length(max=300)])
    contact_email = EmailField(_l("E-mailadres voor contact"), validators=[
        Optional(), Email(message=_l("Vul een geldig e-mailadres in.")), Length(max=254)])

    def validate_founded_year(self, field):
        if field.data is not None and not 1800 <= field.data <= _this_year_plus_one():
            raise ValidationError(_l("Vul een jaartal in tussen 1800 en nu."))

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_l("Vul een volledig webadres in, dat begint met https://."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._validate_coordinates() and valid

    def _validate_coordinates(self) -> bool:
        # Both fields are optional on their own, so the pair is checked here, after them.
        if self.latitude.errors or self.longitude.errors:
            return False
        lat, lon = self.latitude.data, self.longitude.data
        if (lat is None) != (lon is None):
            self.longitude.errors.append(
                _l("Vul zowel de breedtegraad als de lengtegraad in, of allebei niet."))
            return False
        if lat is not None and not in_netherlands(lat, lon):
            self.latitude.errors.append(
                _l("Deze plek ligt niet in Nederland. Controleer de coördinaten."))
            return False
        return True


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mailadres van wie je uitnodigt"), validators=[
        InputRequired(), Email(message=_l("Vul een geldig e-mailadres in.")), Length(max=254)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Rol"), choices=choices(MEMBERSHIP_ROLES), validators=[InputRequired()])


class JoinForm(FlaskForm):
    message = TextAreaField(_l("Bericht aan de beheerders"),
                            validators=[Optional(), Length(max=1000)])


class ConfirmForm(FlaskForm):
    """Only the CSRF token: confirming is one click."""
