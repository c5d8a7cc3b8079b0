"""Closed-by-default routes, response headers, CSRF and configuration safety."""

import re

import pytest

from kennisnet.permissions import is_public

SAMPLE_VALUES = {"int": "1", "default": "x", "string": "x", "path": "x"}


def _sample_url(rule) -> str:
    url = rule.rule
    for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        value = SAMPLE_VALUES.get(converter or "default", "x")
        url = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?" + name + ">", value, url)
    return url


def _protected_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if not is_public(app.view_functions[rule.endpoint]):
            yield rule


def test_every_non_public_route_turns_anonymous_visitors_away(app, client):
    checked = 0
    for rule in _protected_rules(app):
        url = _sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            # A redirect to the login page, or 400 for a POST without a CSRF token.
            assert response.status_code in (302, 400, 401), (rule.rule, method,
                                                             response.status_code)
            if response.status_code == 302:
                assert "/inloggen" in response.headers["Location"], rule.rule
            checked += 1
    assert checked >= 5


def test_anonymous_post_with_token_still_needs_login(app, client, csrf_token):
    token = csrf_token(client.get("/inloggen"))
    for rule in _protected_rules(app):
        if "POST" in rule.methods:
            response = client.post(_sample_url(rule), data={"csrf_token": token})
            assert response.status_code == 302, rule.rule
            assert "/inloggen" in response.headers["Location"]


def test_public_list_is_what_we_expect(app):
    public = {rule.endpoint for rule in app.url_map.iter_rules()
              if is_public(app.view_functions[rule.endpoint])}
    assert "accounts.profile" not in public
    assert "admin.users" not in public
    assert {"main.home", "tips.tip_list", "accounts.login"} <= public


@pytest.mark.parametrize("path", ["/", "/tips", "/inloggen", "/bestaat-niet"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_static_files_carry_headers_too(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_post_without_csrf_is_refused_in_dutch(client):
    response = client.post("/inloggen", data={"email": "a@example.nl", "password": "x"})
    assert response.status_code == 400
    assert "Er ging iets mis" in response.get_data(as_text=True)


@pytest.mark.parametrize("status,path", [(404, "/bestaat-niet"), (405, "/uitloggen")])
def test_error_pages_are_dutch(client, status, path):
    response = client.get(path)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Naar de beginpagina" in html


def test_unexpected_error_gives_dutch_500(app, client):
    @app.route("/kapot")
    def broken():
        raise RuntimeError("boom")

    app.view_functions["broken"]._kennisnet_public = True
    response = client.get("/kapot")
    assert response.status_code == 500
    assert "Er ging iets mis bij ons" in response.get_data(as_text=True)


def test_production_refuses_default_or_short_secret(monkeypatch, tmp_path):
    from kennisnet import create_app

    monkeypatch.setenv("KENNISNET_ENV", "production")
    monkeypatch.setenv("KENNISNET_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("KENNISNET_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("KENNISNET_SECRET_KEY", "te-kort")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("KENNISNET_SECRET_KEY", "kq8-Zr2Lw7vNx4Tb9Hs1Pd6Fy3Jc0Gm5Ue")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_english_is_available(client):
    response = client.post("/taal", data={"lang": "en", "next": "/tips"},
                           headers={"Sec-Fetch-Site": "same-origin"})
    assert response.headers["Location"] == "/tips"
    html = client.get("/tips").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html


def test_dutch_is_the_default_whatever_the_browser_says(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="nl">' in html


@pytest.mark.parametrize("headers, allowed", [
    ({"Sec-Fetch-Site": "same-origin"}, True),
    ({"Sec-Fetch-Site": "none"}, True),  # typed or bookmarked by the visitor
    ({"Origin": "http://localhost"}, True),  # browsers before Sec-Fetch-Site
    ({}, True),  # not a browser: no visitor's session to abuse
    ({"Sec-Fetch-Site": "cross-site", "Origin": "https://kwaad.example"}, False),
    ({"Sec-Fetch-Site": "same-site", "Origin": "http://sub.localhost"}, False),
    ({"Origin": "https://kwaad.example"}, False),
    ({"Origin": "null"}, False),  # a sandboxed frame or data: page
])
def test_the_language_switch_refuses_forms_from_other_sites(client, headers, allowed):
    response = client.post("/taal", data={"lang": "en", "next": "/tips"}, headers=headers)
    if allowed:
        assert response.status_code == 302
        assert '<html lang="en">' in client.get("/tips").get_data(as_text=True)
    else:
        assert response.status_code == 400
        assert "Er ging iets mis" in response.get_data(as_text=True)
        assert '<html lang="nl">' in client.get("/tips").get_data(as_text=True)
