"""All configuration, read from environment variables with development defaults.

Only this module reads the environment; the rest of the app reads `app.config`.
"""

import os
from datetime import timedelta

DEV_SECRET_KEY = "dev-only-not-secret-change-me"
MIN_SECRET_KEY_LENGTH = 32


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"KENNISNET_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return default if value in (None, "") else int(value)


def load(instance_path: str) -> dict:
    """Return the app configuration for the current environment."""
    env = _env("ENV", "development")
    is_production = env == "production"
    return {
        "KENNISNET_ENV": env,
        "SECRET_KEY": _env("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL")
        or "sqlite:///" + os.path.join(instance_path, "kennisnet.sqlite3"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SEARCH_INDEX_DIR": _env("SEARCH_INDEX_DIR") or os.path.join(instance_path, "search-index"),
        "UPLOAD_DIR": _env("UPLOAD_DIR") or os.path.join(instance_path, "uploads"),
        "MAIL_OUTBOX_DIR": os.path.join(instance_path, "mail"),
        # Pages for anonymous visitors, kept per process until the content changes
        # (kennisnet/pagecache.py); 0 seconds switches the cache off. Off in development, so
        # an edited template shows at once; the tests switch it on.
        "PAGE_CACHE_SECONDS": _env_int("PAGE_CACHE_SECONDS", 60 if is_production else 0),
        "PAGE_CACHE_MB": _env_int("PAGE_CACHE_MB", 8),
        # Every process serving one site must read and replace the same file.
        "PAGE_CACHE_VERSION_FILE": _env("PAGE_CACHE_VERSION_FILE")
        or os.path.join(instance_path, "content-version"),
        "MAIL_SERVER": _env("MAIL_SERVER"),
        "MAIL_PORT": _env_int("MAIL_PORT", 587),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", True),
        "MAIL_SENDER": _env("MAIL_SENDER", "Kennisnet <noreply@kennisnet.local>"),
        "BASE_URL": _env("BASE_URL", "http://127.0.0.1:5000"),
        # Shown on /privacy and /toegankelijkheid as the address for questions and requests.
        "CONTACT_EMAIL": _env("CONTACT_EMAIL", ""),
        "MAP_TILE_URL": _env("MAP_TILE_URL", ""),
        "MAP_TILE_ATTRIBUTION": _env("MAP_TILE_ATTRIBUTION", ""),
        # PBKDF2 at 600,000 iterations meets OWASP ASVS 5.0 appendix C; tests may lower it.
        "PASSWORD_HASH_METHOD": _env("PASSWORD_HASH_METHOD", "pbkdf2:sha256:600000"),
        "LOGIN_LIMIT_PER_ACCOUNT": _env_int("LOGIN_LIMIT_PER_ACCOUNT", 5),
        # Failed logins per IP address: 30 an hour and 6 a minute (Discourse's defaults), so
        # one address cannot try many accounts; a shared village-hall address still can log in.
        "LOGIN_LIMIT_PER_IP": _env_int("LOGIN_LIMIT_PER_IP", 30),
        "LOGIN_LIMIT_IP_WINDOW": timedelta(hours=1),
        "LOGIN_LIMIT_PER_IP_PER_MINUTE": _env_int("LOGIN_LIMIT_PER_IP_PER_MINUTE", 6),
        "LOGIN_LIMIT_WINDOW": timedelta(minutes=_env_int("LOGIN_LIMIT_MINUTES", 15)),
        "PASSWORD_RESET_MAX_AGE": timedelta(hours=1),  # ASVS 6.4.1: short-lived
        "MAX_CONTENT_LENGTH": _env_int("MAX_UPLOAD_MB", 20) * 1024 * 1024,
        # Each member's own files (all versions they uploaded that still exist): a full disk
        # would stop every initiative from sharing, not just the one that filled it.
        "UPLOAD_QUOTA_FILES": _env_int("UPLOAD_QUOTA_FILES", 100),
        "UPLOAD_QUOTA_BYTES": _env_int("UPLOAD_QUOTA_MB", 100) * 1024 * 1024,
        # __Host-: the browser sends the cookie only over HTTPS, to this exact host, for every
        # path; no subdomain can set or overwrite it. Needs Secure, so production only.
        "SESSION_COOKIE_NAME": "__Host-session" if is_production else "session",
        "REMEMBER_COOKIE_NAME": "__Host-remember_token" if is_production else "remember_token",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": is_production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": is_production,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        # Logged out after this long without a request (ASVS 7.3.1), unless "Onthoud mij" was
        # ticked; pages warn this long before, with a button to stay (WCAG 2.2.1).
        "SESSION_IDLE_SECONDS": _env_int("SESSION_IDLE_MINUTES", 30) * 60,
        "SESSION_IDLE_WARNING_SECONDS": 120,
        "PREFERRED_URL_SCHEME": "https" if is_production else "http",
        "TRUST_PROXY_HOPS": _env_int("TRUST_PROXY_HOPS", 0),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "WTF_CSRF_TIME_LIMIT": None,
        "FORUM_POST_LIMIT": _env_int("FORUM_POST_LIMIT", 8),
        "FORUM_POST_WINDOW_SECONDS": _env_int("FORUM_POST_WINDOW_SECONDS", 600),
        "FORUM_MIN_FILL_SECONDS": _env_int("FORUM_MIN_FILL_SECONDS", 3),
        "FORUM_APPROVALS_BEFORE_TRUSTED": _env_int("FORUM_APPROVALS_BEFORE_TRUSTED", 2),
    }


MIN_SECRET_KEY_DISTINCT = 12  # "x" * 40 is long but guessable; a random key has ~30 distinct


def check_production(config: dict) -> None:
    """Refuse to run production with debug on or a guessable secret key."""
    if config["KENNISNET_ENV"] != "production":
        return
    if config.get("DEBUG"):
        raise RuntimeError(
            "Debug mode is on (FLASK_DEBUG or --debug) while KENNISNET_ENV=production. Debug "
            "mode shows source code and can run code for any visitor; turn it off."
        )
    key = config.get("SECRET_KEY") or ""
    if (key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH
            or len(set(key)) < MIN_SECRET_KEY_DISTINCT):
        raise RuntimeError(
            "KENNISNET_SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters in production, for example the output of: "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
