"""Language choice: Dutch unless the visitor picked English or only accepts English."""

from flask import request, session

SUPPORTED_LOCALES = ("nl", "en")


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "nl"
