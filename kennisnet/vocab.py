"""Controlled vocabularies shared by several domains: slugs in the database, Dutch labels shown."""

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

PROVINCES = {
    "groningen": "Groningen",
    "friesland": "Fryslân",
    "drenthe": "Drenthe",
    "overijssel": "Overijssel",
    "flevoland": "Flevoland",
    "gelderland": "Gelderland",
    "utrecht": "Utrecht",
    "noord-holland": "Noord-Holland",
    "zuid-holland": "Zuid-Holland",
    "zeeland": "Zeeland",
    "noord-brabant": "Noord-Brabant",
    "limburg": "Limburg",
}

FIELD_ROLES = {
    "initiatiefnemer": _l("Initiatiefnemer"),
    "bestuur": _l("Bestuurslid"),
    "zorgcoordinator": _l("Zorgcoördinator"),
    "dorpsondersteuner": _l("Dorpsondersteuner"),
    "mantelzorger": _l("Mantelzorger"),
    "vrijwilliger": _l("Vrijwilliger"),
    "professional": _l("Professional"),
    "burger": _l("Burger of lid"),
}

INITIATIVE_KINDS = {
    "zorgcooperatie": _l("Zorgcoöperatie"),
    "dorpsvereniging": _l("Dorpsvereniging"),
    "stadsdorp": _l("Stadsdorp"),
    "buurtcooperatie": _l("Buurtcoöperatie"),
    "anders": _l("Anders"),
}

LEGAL_FORMS = {
    "cooperatie": _l("Coöperatie"),
    "vereniging": _l("Vereniging"),
    "stichting": _l("Stichting"),
    "informeel": _l("Informeel (geen rechtsvorm)"),
}

INITIATIVE_STATUSES = {
    "in_oprichting": _l("In oprichting"),
    "actief": _l("Actief"),
    "gestopt": _l("Gestopt"),
}

SERVICES = {
    "maaltijden": _l("Maaltijden"),
    "vervoer": _l("Vervoer"),
    "dagbesteding": _l("Dagbesteding"),
    "klussendienst": _l("Klussendienst"),
    "dorpsondersteuner": _l("Dorpsondersteuner"),
    "huishoudelijke_hulp": _l("Huishoudelijke hulp"),
    "ontmoeting": _l("Ontmoeting"),
    "informatie_advies": _l("Informatie en advies"),
    "mantelzorgondersteuning": _l("Steun voor mantelzorgers"),
}

NETWORK_LEVELS = {
    "lokaal": _l("Lokaal"),
    "regionaal": _l("Regionaal"),
    "landelijk": _l("Landelijk"),
}

MEMBERSHIP_ROLES = {
    "lid": _l("Lid"),
    "redacteur": _l("Redacteur"),
    "beheerder": _l("Beheerder"),
}

SITE_ROLES = {
    "member": _l("Lid"),
    "moderator": _l("Moderator"),
    "admin": _l("Beheerder van de site"),
}

TIP_PHASES = {
    "start": _l("Hoe begin je?"),
    "groei": _l("Hoe gaat het groeien?"),
}


def choices(vocabulary: dict, blank=None) -> list[SelectChoice]:
    """WTForms choices from a vocabulary, optionally with an empty first option.

    Labels stay lazy so they are translated when rendered, not at import.
    """
    items = [SelectChoice(key, label) for key, label in vocabulary.items()]
    return [SelectChoice("", blank), *items] if blank is not None else items

EVENT_KINDS = {
    "spreekuur": _l("Spreekuur"),
    "werkbezoek": _l("Werkbezoek"),
    "informatieavond": _l("Informatieavond"),
    "netwerkbijeenkomst": _l("Netwerkbijeenkomst"),
    "workshop": _l("Workshop"),
    "symposium": _l("Symposium"),
    "kennisdeelbijeenkomst": _l("Kennisdeelbijeenkomst"),
    "ledenvergadering": _l("Ledenvergadering"),
}

EVENT_RECURRENCES = {
    "weekly": _l("Elke week"),
    "monthly": _l("Elke maand"),
    "quarterly": _l("Elk kwartaal"),
    "yearly": _l("Elk jaar"),
}
