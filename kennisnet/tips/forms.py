from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

_required = DataRequired(_l("Dit veld is verplicht."))


class GuidePageForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[_required, Length(max=200)])
    summary = TextAreaField(_l("Samenvatting"), validators=[Optional(), Length(max=500)],
                            description=_l("Een of twee zinnen voor lijsten en zoekresultaten."))
    body = TextAreaField(_l("Tekst"), validators=[_required, Length(max=32000)],
                         description=_l("In Markdown: ## voor een tussenkop, > voor een citaat."))


class TipForm(FlaskForm):
    title = StringField(_l("Tip"), validators=[_required, Length(max=300)])
    explanation = TextAreaField(_l("Uitleg"), validators=[_required, Length(max=32000)],
                                description=_l("In Markdown."))
    quote = TextAreaField(_l("Citaat"), validators=[Optional(), Length(max=1000)])
    quote_by = StringField(_l("Wie zei het citaat?"), validators=[Optional(), Length(max=120)])
