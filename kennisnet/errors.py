"""Plain Dutch error pages for every status a visitor can meet."""

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, TooManyRequests

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Er ging iets mis met je verzoek"),
          _l("De gegevens konden niet worden verwerkt. Ga terug en probeer het opnieuw.")),
    403: (_l("Je mag deze pagina niet bekijken"),
          _l("Je hebt geen toegang tot deze pagina. Log in met een account dat wel toegang heeft.")),  # noqa: E501
    404: (_l("Pagina niet gevonden"),
          _l("Deze pagina bestaat niet (meer). Misschien is de link oud of verkeerd getypt.")),
    405: (_l("Dit kan zo niet"),
          _l("Deze actie kan niet op deze manier worden gedaan. Gebruik de knoppen op de site.")),
    413: (_l("Het bestand is te groot"),
          _l("Het bestand dat je stuurde is te groot. Kies een kleiner bestand.")),
    429: (_l("Even wachten, alstublieft"),
          _l("Je hebt het te vaak achter elkaar geprobeerd. Wacht even en probeer het dan opnieuw.")),  # noqa: E501
    500: (_l("Er ging iets mis bij ons"),
          _l("Er ging iets fout op de server. Probeer het later opnieuw. Wij kijken ernaar.")),
}


def too_many_requests(wait_seconds: int) -> TooManyRequests:
    """A 429 whose page and Retry-After header tell how long to wait."""
    error = TooManyRequests()
    error.retry_after = wait_seconds
    return error


def render_error(status: int, retry_after: int | None = None):
    title, explanation = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    html = render_template(
        "errors/error.html", status=status, title=title, explanation=explanation,
        retry_after=retry_after,
    )
    response_headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return html, status, response_headers


def handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    retry_after = getattr(error, "retry_after", None)
    return render_error(error.code, retry_after)


def handle_csrf_error(_error: CSRFError):
    return render_error(400)


def handle_unexpected(error: Exception):
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(InternalServerError.code)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
