from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


def _code_field(label, hint):
    return StringField(label, validators=[DataRequired(_l("Vul de code in.")), Length(max=64)],
                       description=hint)


class StartForm(FlaskForm):
    """Only the CSRF token: starting a setup writes a new secret, so it is a POST."""


class ConfirmSetupForm(FlaskForm):
    code = _code_field(_l("Code uit de app"),
                       _l("De zes cijfers die de app nu laat zien."))


class LoginCodeForm(FlaskForm):
    code = _code_field(_l("Code uit de app"),
                       _l("De zes cijfers die de app op je telefoon nu laat zien. Telefoon kwijt? "
                          "Vul dan een van je herstelcodes in."))


class ConfirmedChangeForm(FlaskForm):
    """Turning the second factor off or making new recovery codes needs both factors."""

    password = PasswordField(_l("Wachtwoord"),
                             validators=[DataRequired(_l("Vul je wachtwoord in."))])
    code = _code_field(_l("Code uit de app"),
                       _l("De zes cijfers die de app nu laat zien, of een herstelcode."))
