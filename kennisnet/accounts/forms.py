from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from kennisnet.vocab import FIELD_ROLES, PROVINCES, SITE_ROLES, choices

MIN_PASSWORD_LENGTH = 10

_email_validators = [
    DataRequired(_l("Vul je e-mailadres in.")),
    Email(_l("Dit is geen geldig e-mailadres."), check_deliverability=False),
    Length(max=254),
]


def not_easy_to_guess(form, field):
    from flask_login import current_user

    from kennisnet.accounts.passwords import is_easy_to_guess

    personal = [getattr(form, name).data for name in ("email", "display_name")
                if hasattr(form, name)]
    if current_user.is_authenticated:
        personal += [current_user.email, current_user.display_name]
    if field.data and is_easy_to_guess(field.data, personal):
        raise ValidationError(_l("Dit wachtwoord is te makkelijk te raden. Kies een zin van een "
                                 "paar gewone woorden die niet over jou of kennisnet gaan."))


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Kies een wachtwoord.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("Het wachtwoord moet minstens %(min)d tekens lang zijn.",
                           min=MIN_PASSWORD_LENGTH),
            ),
            not_easy_to_guess,
        ],
        description=_l("Minstens %(min)d tekens. Een zin van een paar woorden is makkelijk te "
                       "onthouden en sterk.", min=MIN_PASSWORD_LENGTH),
    )


class RegisterForm(FlaskForm):
    display_name = StringField(
        _l("Naam"), validators=[DataRequired(_l("Vul je naam in.")), Length(max=80)],
        description=_l("Zo ziet iedereen je op kennisnet."),
    )
    email = EmailField(_l("E-mailadres"), validators=_email_validators)
    password = _new_password_field(_l("Wachtwoord"))
    password_again = PasswordField(
        _l("Wachtwoord nog een keer"),
        validators=[EqualTo("password", _l("De twee wachtwoorden zijn niet hetzelfde."))],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=_email_validators)
    password = PasswordField(_l("Wachtwoord"),
                             validators=[DataRequired(_l("Vul je wachtwoord in."))])
    remember = BooleanField(_l("Ingelogd blijven op deze computer"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=_email_validators)


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(_l("Nieuw wachtwoord"))
    password_again = PasswordField(
        _l("Nieuw wachtwoord nog een keer"),
        validators=[EqualTo("password", _l("De twee wachtwoorden zijn niet hetzelfde."))],
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Huidig wachtwoord"), validators=[DataRequired(_l("Vul je huidige wachtwoord in."))]
    )


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Naam"), validators=[DataRequired(_l("Vul je naam in.")), Length(max=80)]
    )
    field_role = SelectField(
        _l("Jouw rol"), choices=choices(FIELD_ROLES, blank=_l("Kies een rol (niet verplicht)")),
        validators=[Optional()],
        description=_l("Wat doe je in je initiatief?"),
    )
    province = SelectField(
        _l("Provincie"),
        choices=choices(PROVINCES, blank=_l("Kies een provincie (niet verplicht)")),
        validators=[Optional()],
    )
    bio = TextAreaField(
        _l("Over mij"), validators=[Optional(), Length(max=1000)],
        description=_l("Een paar zinnen over jezelf en je initiatief. Hoogstens 1000 tekens."),
    )


class SiteRoleForm(FlaskForm):
    site_role = SelectField(_l("Rol op de site"), choices=choices(SITE_ROLES))
