"""Security headers on every kind of response, in the production configuration (catalogue
H01-H06, headline figure 9), and the production start-up checks (H02)."""

import re
import socket

import pytest

from kennisnet import create_app
from kennisnet.permissions import public
from tests.conftest import TEST_PASSWORD, _test_config
from tests.factories_documents import document_id, make_pdf

pytest_plugins = ["tests.search_support", "tests.documents_support"]

STRONG_KEY = "Vx3-pQ8rLm2Nz7Tk4Wb9Yc1Hd6Fs0Gj5Ue_aR"
ONE_YEAR = 365 * 24 * 3600
REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin",
                     "strict-origin-when-cross-origin"}
# Fetch directives fall back to default-src; base-uri and frame-ancestors do not.
FALLS_BACK = {"object-src", "script-src", "style-src", "img-src", "font-src", "connect-src"}
SAMPLE = {"int": "1", "default": "x", "string": "x", "path": "x"}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def effective(directives: dict, name: str) -> list[str] | None:
    if name in directives:
        return directives[name]
    return directives.get("default-src") if name in FALLS_BACK else None


def header_problems(response, production: bool = True) -> list[str]:
    """What is missing from a response's security headers (empty when all is well)."""
    problems = []
    headers = response.headers
    csp = headers.get("Content-Security-Policy")
    if not csp:
        return ["no Content-Security-Policy"]
    directives = csp_directives(csp)
    for name in ("object-src", "base-uri", "frame-ancestors"):
        if effective(directives, name) != ["'none'"]:
            problems.append(f"{name} is not 'none'")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append("CSP allows unsafe-inline or unsafe-eval")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if headers.get("Referrer-Policy") not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {headers.get('Referrer-Policy')!r}")
    if production:
        hsts = headers.get("Strict-Transport-Security", "")
        age = re.search(r"max-age=(\d+)", hsts)
        if not age or int(age.group(1)) < ONE_YEAR or "includesubdomains" not in hsts.lower():
            problems.append(f"HSTS {hsts!r}")
    mimetype = response.mimetype or ""
    if (mimetype.endswith("json") and "charset=utf-8" not in
            headers.get("Content-Type", "").lower()):
        problems.append("JSON without charset")
    return problems


@pytest.fixture
def production(app, tmp_path, monkeypatch, database_url):
    """The production configuration on the test database, with a test-only failing route."""
    monkeypatch.setenv("KENNISNET_ENV", "production")
    monkeypatch.setenv("KENNISNET_SECRET_KEY", STRONG_KEY)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = _test_config(database_url, tmp_path)
    config.pop("SECRET_KEY")
    prod = create_app(config)

    @public
    def test_only_failure():
        raise RuntimeError("kapot met opzet")

    prod.add_url_rule("/test-alleen/kapot", "test_only_failure", test_only_failure)
    assert prod.config["KENNISNET_ENV"] == "production"
    yield prod
    with prod.app_context():
        from kennisnet.extensions import db

        db.session.remove()
        db.engine.dispose()


def https_client(app):
    """Secure and __Host- cookies travel over https only; so do these requests."""
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    # Flask-WTF checks the Referer of POSTs over https; browsers send it for the same origin.
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    return client


@pytest.fixture
def prod_client(production):
    return https_client(production)


def prod_login(client, csrf_token, user):
    page = client.get("/inloggen")
    response = client.post("/inloggen", data={"csrf_token": csrf_token(page),
                                              "email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return response


def sample_url(rule) -> str:
    url = rule.rule
    for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        url = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?" + name + ">", SAMPLE.get(converter or
                                                                          "default", "x"), url)
    return url


@pytest.fixture
def no_outside_connections(monkeypatch):
    """H05: the server never fetches anything from elsewhere; record any attempt."""
    attempts = []
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in (
                "127.0.0.1", "::1", "localhost"):
            attempts.append(host)
            raise OSError("outside connection refused by the test")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


def _a_document(client, upload, extract, make_user, login):
    login(make_user())
    new_id = document_id(upload(make_pdf(["Statuten"]), "statuten.pdf"))
    extract()
    return new_id


def test_every_kind_of_response_carries_the_headers(app, production, prod_client, client,
                                                    csrf_token, make_user, login, upload,
                                                    extract, drain, seeded,
                                                    no_outside_connections, report_figure):
    doc = _a_document(client, upload, extract, make_user, login)
    drain()  # a search index to search in
    production.config["LOGIN_LIMIT_PER_IP"] = 1
    checked: dict[str, object] = {}

    def check(label, response, status=None):
        if status is not None:
            assert response.status_code == status, (label, response.status_code)
        checked[label] = (response, header_problems(response))

    for path in ("/", "/tips", "/documenten", "/agenda", "/forum", "/initiatieven",
                 "/zoeken?q=zorg", "/inloggen", f"/documenten/{doc}"):
        check(f"page {path}", prod_client.get(path), 200)
    check("404", prod_client.get("/bestaat-niet"), 404)
    check("405", prod_client.get("/uitloggen"), 405)
    check("500", prod_client.get("/test-alleen/kapot"), 500)
    check("static", prod_client.get("/static/css/site.css"), 200)
    check("download", prod_client.get(f"/documenten/{doc}/download"), 200)
    check("geojson", prod_client.get("/initiatieven.geojson"), 200)
    check("api", prod_client.get("/api/v1/initiatives"), 200)
    check("api error", prod_client.get("/initiatieven.geojson?velden=x"), 400)
    check("openapi", prod_client.get("/api/v1/openapi.json"), 200)
    check("autocomplete", prod_client.get("/forum/vergelijkbaar?titel=zorg"), 200)
    check("ical", prod_client.get("/agenda.ics"), 200)
    check("redirect", prod_client.get("/profiel"), 302)
    check("options", prod_client.options("/"), 200)
    token = csrf_token(prod_client.get("/inloggen"))
    wrong = {"csrf_token": token, "email": "niemand@example.nl", "password": "fout fout fout"}
    check("401", prod_client.post("/inloggen", data=wrong), 401)
    check("429", prod_client.post("/inloggen", data=wrong), 429)
    production.config["LOGIN_LIMIT_PER_IP"] = 30
    production.config["MAX_CONTENT_LENGTH"] = 1024
    check("413", prod_client.post("/inloggen", data={"csrf_token": token, "x": "y" * 4096}), 413)
    production.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    check("400 csrf", prod_client.post("/inloggen", data={"email": "a@example.nl"}), 400)

    member = https_client(production)
    user = make_user()
    check("login redirect", prod_login(member, csrf_token, user), 302)
    check("member page", member.get("/profiel"), 200)
    assert member.get("/profiel").headers["Cache-Control"] == "no-store"
    assert member.get("/").headers["Cache-Control"] == "no-store"

    failing = {label: problems for label, (_, problems) in checked.items() if problems}
    report_figure("headers.response_kinds_checked", len(checked))
    report_figure("headers.response_kinds_with_all_headers_pct",
                  round(100 * (len(checked) - len(failing)) / len(checked), 1))
    assert not failing, failing
    assert no_outside_connections == []


def test_every_get_route_carries_the_headers(app, production, prod_client, csrf_token,
                                             make_user, seeded, drain, no_outside_connections,
                                             report_figure):
    """Derived from url_map, so a new route is covered without editing this test: anonymous
    and as a member, whatever the status."""
    drain()
    member = https_client(production)
    prod_login(member, csrf_token, make_user())
    problems, count = [], 0
    for rule in production.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "test_only_failure":
            continue
        url = sample_url(rule)
        for who, visitor in (("anonymous", prod_client), ("member", member)):
            response = visitor.get(url)
            count += 1
            if response.status_code >= 500:
                problems.append((who, url, response.status_code))
            problems += [(who, url, p) for p in header_problems(response)]
            if who == "member" and "Cache-Control" not in response.headers:
                problems.append((who, url, "no Cache-Control"))
    report_figure("headers.get_responses_checked", count)
    assert count >= 100
    assert not problems, problems[:20]
    assert no_outside_connections == []


def test_json_has_charset_and_no_jsonp(client, seeded):
    response = client.get("/forum/vergelijkbaar?titel=zorg&callback=alert")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.get_data(as_text=True).lstrip().startswith("[")
    geo = client.get("/initiatieven.geojson?callback=alert")
    assert geo.headers["Content-Type"] == "application/geo+json; charset=utf-8"
    assert geo.get_data(as_text=True).lstrip().startswith("{")


def test_cross_origin_reads_only_for_open_data(client, seeded):
    """Open data may be shown elsewhere, but never with the visitor's cookies; member JSON
    is not readable from other sites at all."""
    evil = {"Origin": "https://evil.example"}
    open_data = client.get("/api/v1/initiatives", headers=evil)
    assert open_data.headers.get("Access-Control-Allow-Origin") == "*"
    assert "Access-Control-Allow-Credentials" not in open_data.headers
    member_json = client.get("/forum/vergelijkbaar?titel=zorg", headers=evil)
    assert "Access-Control-Allow-Origin" not in member_json.headers


def test_trace_is_refused_and_not_echoed(client):
    response = client.open("/", method="TRACE", headers={"X-Geheim": "echo-mij"})
    assert response.status_code == 405
    assert "echo-mij" not in response.get_data(as_text=True)
    assert "TRACE" not in response.headers.get("Allow", "")


@pytest.mark.parametrize("path", ["/static/", "/static/css/", "/static/js/", "/static/..",
                                  "/.git/HEAD", "/.env", "/console", "/metrics", "/instance/",
                                  "/instance/kennisnet.sqlite3", "/uploads/", "/config.py",
                                  "/kennisnet/__init__.py", "/static/../config.py"])
def test_no_listings_or_hidden_files(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Index of" not in response.get_data(as_text=True)


def test_development_sends_no_hsts(client):
    # Over plain http on a developer's machine HSTS would lock localhost to https for a year.
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KENNISNET_ENV", "production")
    monkeypatch.setenv("KENNISNET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("KENNISNET_SECRET_KEY", STRONG_KEY)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    return monkeypatch


@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret-change-me", "te-kort",
                                 "x" * 64, "abababababababababababababababababab"])
def test_production_refuses_a_missing_or_weak_secret_key(production_env, key):
    if key is None:
        production_env.delenv("KENNISNET_SECRET_KEY")
    else:
        production_env.setenv("KENNISNET_SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="KENNISNET_SECRET_KEY must be set to a random value"):
        create_app()


def test_production_refuses_debug_mode(production_env):
    production_env.setenv("FLASK_DEBUG", "1")
    with pytest.raises(RuntimeError, match="Debug mode is on"):
        create_app()
    with pytest.raises(RuntimeError, match="Debug mode is on"):
        create_app({"DEBUG": True})


def test_production_starts_with_a_strong_key(production_env):
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and not app.debug
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")


def test_development_may_use_debug(monkeypatch, tmp_path):
    monkeypatch.setenv("KENNISNET_ENV", "development")
    monkeypatch.setenv("KENNISNET_INSTANCE_PATH", str(tmp_path))
    assert create_app({"DEBUG": True}).debug
