"""Language choice: Dutch, unless the visitor switched to English with the button in the footer.

Browsers' Accept-Language is not followed: many Dutch villagers use computers set up in English,
and the site is made for them in Dutch first.
"""

from functools import cached_property

from flask import Flask, g, session
from flask_babel import Babel, Domain, get_locale, get_translations

SUPPORTED_LOCALES = ("nl", "en")


def select_locale() -> str:
    chosen = session.get("lang")
    return chosen if chosen in SUPPORTED_LOCALES else "nl"


class RequestDomain(Domain):
    """flask_babel looks up the locale and its catalogue again on every gettext call, and a page
    makes about 45 of them; here the catalogue is looked up once per request and kept on `g`.
    The language only changes through a redirect (the footer's button), so it is fixed for the
    lifetime of a request."""

    def get_translations(self):
        try:
            return g._kennisnet_translations
        except AttributeError:
            translations = g._kennisnet_translations = super().get_translations()
            return translations
        except RuntimeError:  # outside an application context flask_babel answers untranslated
            return super().get_translations()


class KennisnetBabel(Babel):
    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)


def request_translations():
    try:
        return g._kennisnet_translations
    except AttributeError:
        return get_translations()


def locale_key() -> str:
    """'nl' or 'en', for caches keyed by language; resolved once per request."""
    try:
        return g._kennisnet_locale_key
    except AttributeError:
        key = g._kennisnet_locale_key = str(get_locale())
        return key


def install_fast_domain_lookup(app: Flask) -> None:
    """flask_babel.gettext (and every lazy_gettext label, ~170 on the directory page) first
    asks get_domain(), which reads `g` three times to find the one domain kennisnet has. It
    is always the RequestDomain, which itself answers outside a request, so it is returned
    directly. get_domain is looked up at each call, so replacing it takes effect everywhere."""
    import flask_babel

    from kennisnet.extensions import babel

    with app.app_context():
        domain = babel.domain_instance
    flask_babel.get_domain = lambda: domain


def install_template_gettext(app: Flask) -> None:
    """Templates call the request's catalogue directly instead of through flask_babel's lambdas,
    which resolve the domain, locale and catalogue on each of a page's ~45 strings."""
    catalogue = request_translations
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )
