from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField
from wtforms.validators import DataRequired, InputRequired

from kennisnet.vocab import choices

ANONYMISE, DELETE_POSTS = "anonimiseren", "verwijderen"


def _password_field():
    return PasswordField(
        _l("Je wachtwoord"), validators=[DataRequired(_l("Vul je wachtwoord in."))],
        description=_l("We vragen je wachtwoord nog een keer, zodat niemand anders dit kan "
                       "doen op een computer waar je nog bent ingelogd."))


class ExportForm(FlaskForm):
    password = _password_field()


class DeleteAccountForm(FlaskForm):
    mode = RadioField(
        _l("Wat moet er met je berichten en documenten gebeuren?"),
        choices=choices({
            ANONYMISE: _l("Laten staan, zonder mijn naam. Er staat dan ‘Verwijderd lid’ bij."),
            DELETE_POSTS: _l("Ook verwijderen: mijn vragen, antwoorden en documenten met hun "
                             "bestanden."),
        }),
        validators=[InputRequired(_l("Kies wat er met je berichten moet gebeuren."))])
    password = _password_field()
    confirm = BooleanField(
        _l("Ik begrijp dat mijn account weg is en niet terug kan komen."),
        validators=[DataRequired(_l("Vink aan dat je dit begrijpt."))])
