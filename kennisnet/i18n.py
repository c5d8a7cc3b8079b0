"""Language choice: Dutch, unless the visitor switched to English with the button in the footer.

Browsers' Accept-Language is not followed: many Dutch villagers use computers set up in English,
and the site is made for them in Dutch first.
"""

from flask import session

SUPPORTED_LOCALES = ("nl", "en")


def select_locale() -> str:
    chosen = session.get("lang")
    return chosen if chosen in SUPPORTED_LOCALES else "nl"
