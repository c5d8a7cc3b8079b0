"""Response headers and request hooks that apply to every page."""

from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from kennisnet.permissions import is_public
from kennisnet.routing import refuse_nul_characters


def content_security_policy() -> str:
    img_sources = ["'self'", "data:"]
    tile_origin = _tile_origin(current_app.config.get("MAP_TILE_URL") or "")
    if tile_origin:
        img_sources.append(tile_origin)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {' '.join(img_sources)}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _tile_origin(tile_url: str) -> str:
    """The origin of a configured tile server, with {s} subdomains as a CSP wildcard."""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=(), interest-cohort=()"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if current_app.config["KENNISNET_ENV"] == "production":
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    _declare_json_charset(response)
    _keep_personal_pages_out_of_caches(response)
    return response


def _declare_json_charset(response) -> None:
    # Werkzeug names a charset only for text/* types; JSON readers should not have to guess.
    mimetype = response.mimetype or ""
    if (mimetype == "application/json" or mimetype.endswith("+json")) and (
            "charset" not in response.headers.get("Content-Type", "")):
        response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"


def _keep_personal_pages_out_of_caches(response) -> None:
    """A page made for a logged-in member may show private things; no cache, shared or in the
    browser, keeps it (ASVS 14.3.2). Responses that chose a policy themselves keep theirs."""
    if "Cache-Control" in response.headers:
        return
    # The session names the member (Flask-Login's "_user_id"); g._login_user is a member
    # loaded from a remember-me cookie. Neither costs a database query.
    user = g.get("_login_user")
    if "_user_id" in session or (user is not None and user.is_authenticated):
        response.headers["Cache-Control"] = "no-store"


def refuse_cross_origin_request() -> None:
    """CSRF defence without a token, for the one form on pages kept for anonymous visitors
    (the language switch): a token would need a session, and a page with a session cannot be
    kept for everybody. Browsers say where a request comes from; a form posted from another
    site is refused as a failed CSRF check. Requests without these headers do not come from a
    browser, so no visitor's session can be abused by them. (Go 1.25's CrossOriginProtection
    makes the same check.)"""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site not in ("same-origin", "none"):
            raise CSRFError("Cross-site request.")
        return
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise CSRFError("Cross-origin request.")


def require_login_unless_public():
    """Closed by default: only views marked @public answer anonymous visitors."""
    if request.endpoint is None or request.endpoint == "static" or request.endpoint.endswith(
        ".static"
    ):
        return None
    view = current_app.view_functions.get(request.endpoint)
    if is_public(view) or current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()


def register_security(app: Flask) -> None:
    hops = app.config["TRUST_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.before_request(refuse_nul_characters)
    app.before_request(require_login_unless_public)
    app.after_request(add_security_headers)
