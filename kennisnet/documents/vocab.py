"""Vocabularies only the document library uses (shared ones live in kennisnet.vocab)."""

from flask_babel import lazy_gettext as _l

DOCUMENT_TYPES = {
    "statuten": _l("Statuten"),
    "huishoudelijk_reglement": _l("Huishoudelijk reglement"),
    "vragenlijst": _l("Vragenlijst of enquête"),
    "ledenwerving": _l("Ledenwerving of folder"),
    "nieuwsbrief": _l("Nieuwsbrief"),
    "jaarverslag": _l("Jaarverslag"),
    "beleidsplan": _l("Beleidsplan"),
    "begroting": _l("Begroting"),
    "samenwerkingsovereenkomst": _l("Samenwerkingsovereenkomst of convenant"),
    "anders": _l("Anders"),
}

LICENCES = {
    "cc-by-4.0": _l("CC BY 4.0 (naamsvermelding)"),
    "cc-by-sa-4.0": _l("CC BY-SA 4.0 (naamsvermelding, gelijk delen)"),
    "cc0": _l("CC0 (geen rechten voorbehouden)"),
    "alle-rechten": _l("Alle rechten voorbehouden"),
}

LICENCE_URLS = {
    "cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/deed.nl",
    "cc-by-sa-4.0": "https://creativecommons.org/licenses/by-sa/4.0/deed.nl",
    "cc0": "https://creativecommons.org/publicdomain/zero/1.0/deed.nl",
}

VISIBILITIES = {
    "openbaar": _l("Openbaar: iedereen mag het zien"),
    "leden": _l("Alleen voor leden van kennisnet"),
    "organisatie": _l("Alleen voor de eigen organisatie"),
}

SORTS = {
    "nieuwste": _l("Nieuwste eerst"),
    "titel": _l("Titel (A-Z)"),
    "downloads": _l("Meest gedownload"),
}

# Extraction states of a version.
PENDING, EXTRACTED, FAILED = "wachtend", "klaar", "mislukt"

PII_LABELS = {
    "email": _l("e-mailadressen"),
    "phone": _l("telefoonnummers"),
    "iban": _l("bankrekeningnummers (IBAN)"),
    "address": _l("adressen met postcode en huisnummer"),
    "bsn": _l("nummers die op een burgerservicenummer (BSN) lijken"),
}

EXTRACTION_ERRORS = {
    "encrypted": _l("Het bestand is beveiligd met een wachtwoord."),
    "corrupt": _l("Het bestand is beschadigd of we konden het niet lezen."),
    "timeout": _l("Het lezen duurde te lang."),
    "crashed": _l("Het lezen ging mis."),
    "too_many_pages": _l("Het bestand heeft te veel pagina's om te lezen."),
    "active_content": _l("Er zit iets in dat een PDF-lezer kan laten uitvoeren, zoals "
                         "JavaScript. Open het alleen als je de afzender vertrouwt."),
}
