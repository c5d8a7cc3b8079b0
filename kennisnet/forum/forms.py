from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kennisnet.forum.models import BODY_MAX, TITLE_MAX

BODY_HINT = _l("Je kunt Markdown gebruiken: **vet**, *schuin*, lijstjes met - en links. "
               "Deel geen gezondheidsinformatie of andere persoonlijke gegevens over anderen "
               "zonder hun toestemming.")


class GuardedForm(FlaskForm):
    """A form that creates a post: one-time submission id and a field only bots fill in."""

    form_token = HiddenField()
    website = StringField(_l("Laat dit veld leeg"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionForm(GuardedForm):
    title = StringField(
        _l("Je vraag in één zin"),
        validators=[DataRequired(_l("Vul je vraag in.")), Length(min=10, max=TITLE_MAX, message=_l(
            "De vraag moet tussen de 10 en 200 tekens lang zijn."))],
        description=_l("Bijvoorbeeld: Hoe maken we afspraken met de gemeente over "
                       "de dorpsondersteuner?"),
    )
    body = TextAreaField(
        _l("Uitleg bij je vraag"),
        validators=[DataRequired(_l("Vertel iets meer over je vraag.")),
                    Length(max=BODY_MAX)],
        description=BODY_HINT,
    )
    tags = MultiCheckboxField(_l("Onderwerpen"), choices=[], validate_choice=True)
    tip = SelectField(_l("Hoort bij deze tip"), choices=[], validators=[Optional()])
    organisation = SelectField(_l("Namens initiatief"), choices=[], validators=[Optional()])


class EditQuestionForm(FlaskForm):
    title = QuestionForm.title
    body = QuestionForm.body


class AnswerForm(GuardedForm):
    body = TextAreaField(
        _l("Je antwoord"),
        validators=[DataRequired(_l("Schrijf je antwoord.")), Length(max=BODY_MAX)],
        description=BODY_HINT,
    )


class EditAnswerForm(FlaskForm):
    body = AnswerForm.body


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Waarom meld je dit bericht?"),
        validators=[DataRequired(_l("Vertel kort wat er niet goed is.")), Length(max=2000)],
    )


class TagForm(FlaskForm):
    name = StringField(_l("Naam van het onderwerp"),
                       validators=[DataRequired(_l("Vul een naam in.")), Length(max=80)])


class MoveForm(FlaskForm):
    target = StringField(_l("Nummer van de vraag waar het antwoord heen moet"),
                         validators=[DataRequired(_l("Vul het nummer van een vraag in."))])


class MergeForm(FlaskForm):
    target = StringField(_l("Nummer van de vraag die blijft"),
                         validators=[DataRequired(_l("Vul het nummer van een vraag in."))])


class NoteForm(FlaskForm):
    note = StringField(_l("Toelichting"), validators=[Optional(), Length(max=500)])
