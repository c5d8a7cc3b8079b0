import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from kennisnet.documents.vocab import DOCUMENT_TYPES, LICENCES, VISIBILITIES
from kennisnet.vocab import LEGAL_FORMS, choices

MAX_TAGS = 10
MAX_TAG_LENGTH = 40


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def no_control_characters(_form, field):
    """NUL and friends break PostgreSQL and bidi overrides disguise text: refuse them."""
    if field.data and _CONTROL.search(str(field.data)):
        raise ValidationError(_l("Hier staan onzichtbare of ongeldige tekens in."))


def parse_tags(raw: str) -> list[str]:
    tags = [" ".join(part.split()).lower() for part in (raw or "").split(",")]
    return list(dict.fromkeys(tag for tag in tags if tag))


class TagsField(StringField):
    """Tags as one comma-separated text. A document holds them as a list; joining it here keeps
    the field text even when a posted form leaves it out (a list there used to give a 500)."""

    def process_data(self, value):
        super().process_data(", ".join(value) if isinstance(value, list | tuple) else value)


class MetadataForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[
        DataRequired(_l("Geef het document een titel.")), Length(max=200), no_control_characters])
    description = TextAreaField(_l("Beschrijving"), validators=[
        Optional(), Length(max=5000), no_control_characters],
                                description=_l("Waar gaat het over en voor wie is het handig?"))
    doc_type = SelectField(_l("Soort document"), choices=choices(DOCUMENT_TYPES),
                           default="statuten")
    organisation_id = SelectField(_l("Initiatief of netwerk"), coerce=str,
                                  description=_l("Alleen organisaties waar je lid van bent."))
    legal_form = SelectField(_l("Rechtsvorm waar het over gaat"),
                             choices=choices(LEGAL_FORMS, blank=_l("Geen of weet ik niet")),
                             validators=[Optional()])
    year = IntegerField(_l("Jaar"), validators=[
        Optional(), NumberRange(1900, date.today().year + 1,
                                _l("Vul een jaar tussen 1900 en nu in."))])
    licence = SelectField(_l("Licentie"), choices=choices(LICENCES), default="cc-by-4.0",
                          description=_l("Met CC BY 4.0 mag iedereen het gebruiken als ze "
                                         "jullie noemen."))
    tags = TagsField(_l("Trefwoorden"), validators=[
        Optional(), Length(max=400), no_control_characters],
                       description=_l("Scheid trefwoorden met een komma, bijvoorbeeld: "
                                      "contributie, vrijwilligers"))
    visibility = SelectField(_l("Wie mag het zien?"), choices=choices(VISIBILITIES),
                             default="openbaar")

    def __init__(self, organisations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [("", _l("Geen"))] + [
            (str(org.id), org.name) for org in organisations]
        self.organisation_id.flags.required = False

    def validate_tags(self, field):
        tags = parse_tags(field.data)
        if len(tags) > MAX_TAGS:
            raise ValidationError(_l("Gebruik hoogstens %(n)d trefwoorden.", n=MAX_TAGS))
        if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
            raise ValidationError(_l("Een trefwoord mag hoogstens %(n)d tekens hebben.",
                                     n=MAX_TAG_LENGTH))

    def validate_visibility(self, field):
        if field.data == "organisatie" and not self.organisation_id.data:
            raise ValidationError(_l("Kies eerst een organisatie, of kies een andere "
                                     "zichtbaarheid."))


class UploadForm(MetadataForm):
    # One-time id made when the form is shown: a retried upload makes no second document.
    submission_id = HiddenField()
    file = FileField(_l("Bestand"), description=_l(
        "PDF, Word (DOCX), OpenDocument (ODT) of platte tekst (TXT of Markdown)."))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Kies een bestand."))


class VersionForm(FlaskForm):
    file = FileField(_l("Nieuw bestand"), description=UploadForm.file.kwargs["description"])
    validate_file = UploadForm.validate_file


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("Wat is er mis met dit document?"), validators=[
        DataRequired(_l("Schrijf kort wat er mis is.")), Length(max=2000), no_control_characters])
