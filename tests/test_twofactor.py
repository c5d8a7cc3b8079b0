"""Second factor (catalogue A10, ASVS 6.5.x): TOTP setup, the code step of logging in, single use,
recovery codes, throttling, and moderators and administrators needing it for their powers."""

import re

import pyotp
import pytest
from sqlalchemy import func, select

from kennisnet.accounts.models import User
from kennisnet.twofactor import services
from kennisnet.twofactor.models import RecoveryCode, TotpCredential
from tests.conftest import TEST_PASSWORD, TEST_TOTP_SECRET, totp_code_for
from tests.test_html_valid import _validate, vnu_jar  # noqa: F401 - vnu_jar is a fixture

TOTP = pyotp.TOTP(TEST_TOTP_SECRET)
SECRET_ON_PAGE = re.compile(r'<code id="sleutel">([A-Z2-7 ]+)</code>')
CODE_ON_PAGE = re.compile(r"<li><code>([a-z2-7-]+)</code></li>")


def _password_step(client, csrf_token, user, **extra):
    page = client.get("/inloggen")
    token = csrf_token(page)
    response = client.post("/inloggen", query_string=extra.pop("query", None), data={
        "csrf_token": token, "email": user.email, "password": TEST_PASSWORD, **extra})
    return response, token


def _code_step(client, token, code):
    return client.post("/inloggen/code", data={"csrf_token": token, "code": code})


def _is_logged_in(client) -> bool:
    return client.get("/profiel").status_code == 200


def _log_out(client, csrf_token):
    client.post("/uitloggen", data={"csrf_token": csrf_token(client.get("/"))})


def _set_up_through_pages(client, csrf_token):
    """Walks the setup pages; returns the secret shown and the recovery-code page."""
    intro = client.get("/tweestapsverificatie/instellen")
    assert intro.status_code == 200 and "Beginnen" in intro.get_data(as_text=True)
    start = client.post("/tweestapsverificatie/instellen/start",
                        data={"csrf_token": csrf_token(intro)})
    assert start.status_code == 302
    page = client.get("/tweestapsverificatie/instellen")
    assert page.headers["Cache-Control"] == "no-store"
    secret = SECRET_ON_PAGE.search(page.get_data(as_text=True)).group(1).replace(" ", "")
    wrong = client.post("/tweestapsverificatie/instellen",
                        data={"csrf_token": csrf_token(page), "code": "000000"})
    if TOTP.now() != "000000":
        assert wrong.status_code == 422 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    done = client.post("/tweestapsverificatie/instellen",
                       data={"csrf_token": csrf_token(page), "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200, done.get_data(as_text=True)[:500]
    return secret, done


def test_setup_shows_qr_and_secret_then_ten_recovery_codes_once(app, db, client, login,
                                                                  csrf_token, make_user):
    user = make_user()
    login(user)
    secret, done = _set_up_through_pages(client, csrf_token)
    assert len(secret) == 32
    codes = CODE_ON_PAGE.findall(done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert done.headers["Cache-Control"] == "no-store"
    credential = db.session.scalar(select(TotpCredential).where(TotpCredential.user_id == user.id))
    assert credential.confirmed_at is not None
    assert secret not in credential.secret_encrypted  # encrypted at rest
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept


def test_qr_code_is_an_svg_served_by_our_own_route(client, login, csrf_token, make_user):
    login(make_user())
    intro = client.get("/tweestapsverificatie/instellen")
    client.post("/tweestapsverificatie/instellen/start", data={"csrf_token": csrf_token(intro)})
    page = client.get("/tweestapsverificatie/instellen").get_data(as_text=True)
    assert '<img src="/tweestapsverificatie/instellen/qr.svg"' in page
    qr = client.get("/tweestapsverificatie/instellen/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.headers["Cache-Control"] == "no-store"
    assert b"<svg" in qr.data and b"<script" not in qr.data


def test_secret_is_on_no_page_after_setup(client, login, csrf_token, make_user):
    login(make_user())
    secret, done = _set_up_through_pages(client, csrf_token)
    grouped = services.grouped(secret)
    pages = [done]
    for path in ("/", "/profiel", "/tweestapsverificatie", "/tweestapsverificatie/instellen"):
        pages.append(client.get(path, follow_redirects=True))
    for response in pages:
        text = response.get_data(as_text=True)
        assert secret not in text and grouped not in text
    assert client.get("/tweestapsverificatie/instellen/qr.svg").status_code == 404


def test_login_needs_the_code_and_the_session_only_holds_a_marker(client, csrf_token, make_user):
    user = make_user(second_factor=True)
    response, token = _password_step(client, csrf_token, user, query={"next": "/forum"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/inloggen/code")
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert session["twofactor_pending"]["user"] == user.id
    assert not _is_logged_in(client)
    assert client.get("/inloggen/code").status_code == 200
    response = _code_step(client, token, TOTP.now())
    assert response.status_code == 302 and response.headers["Location"] == "/forum"
    assert _is_logged_in(client)
    with client.session_transaction() as session:
        assert "twofactor_pending" not in session


def test_wrong_code_is_refused(client, csrf_token, make_user):
    user = make_user(second_factor=True)
    _, token = _password_step(client, csrf_token, user)
    wrong = "111111" if TOTP.now() != "111111" else "222222"
    for text, status in ((wrong, 401), ("abc", 401), ("١٢٣٤٥٦", 401), ("<script>", 401),
                         ("   ", 422), ("9" * 65, 422)):
        response = _code_step(client, token, text)
        assert response.status_code == status, text
        assert "Deze code klopt niet" in response.get_data(as_text=True) or status == 422
    assert not _is_logged_in(client)


def test_replayed_code_is_refused(client, csrf_token, make_user):
    user = make_user(second_factor=True)
    code = totp_code_for(user)
    _, token = _password_step(client, csrf_token, user)
    assert _code_step(client, token, code).status_code == 302
    _log_out(client, csrf_token)
    _, token = _password_step(client, csrf_token, user)
    response = _code_step(client, token, code)
    assert response.status_code == 401
    assert not _is_logged_in(client)


def test_codes_work_one_step_either_side_and_only_once(db, make_user):
    credential = make_user(second_factor=True).totp_credential
    t = 1_800_000_000  # the start of a 30-second step
    assert not services.verify_code(credential, TOTP.at(t - 60), now=t)  # expired
    assert not services.verify_code(credential, TOTP.at(t + 60), now=t)
    assert services.verify_code(credential, TOTP.at(t - 30), now=t)  # a slow phone clock
    assert not services.verify_code(credential, TOTP.at(t - 30), now=t)  # replay
    assert services.verify_code(credential, TOTP.at(t), now=t)
    assert services.verify_code(credential, TOTP.at(t + 30), now=t)  # a fast phone clock
    assert not services.verify_code(credential, TOTP.at(t), now=t + 30)  # older than last used
    db.session.commit()
    assert credential.last_used_step == (t + 30) // 30


def test_recovery_code_works_once(db, client, csrf_token, make_user):
    user = make_user(second_factor=True)
    codes = services.new_recovery_codes(user)
    db.session.commit()
    _, token = _password_step(client, csrf_token, user)
    response = _code_step(client, token, codes[3].upper().replace("-", " "))  # as typed
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "nog 9 over" in page
    _log_out(client, csrf_token)
    _, token = _password_step(client, csrf_token, user)
    assert _code_step(client, token, codes[3]).status_code == 401
    assert not _is_logged_in(client)
    assert services.recovery_codes_left(user) == 9


def test_wrong_codes_are_throttled(client, csrf_token, make_user, report_figure):
    """A10: 20 wrong codes; only the first few are even checked, then 429 (also for a right one)."""
    user = make_user(second_factor=True)
    _, token = _password_step(client, csrf_token, user)
    wrong = "111111" if TOTP.now() != "111111" else "222222"
    statuses = [_code_step(client, token, wrong).status_code for _ in range(20)]
    checked = sum(status != 429 for status in statuses)
    report_figure("A10 wrong TOTP codes checked of 20 (limit 5 per 15 min)", checked)
    assert checked == 5 and set(statuses[5:]) == {429}
    right = _code_step(client, token, totp_code_for(user))
    assert right.status_code == 429 and "Retry-After" in right.headers
    assert not _is_logged_in(client)


def test_marker_expires_and_dies_with_the_session_epoch(app, db, client, csrf_token, make_user):
    from kennisnet.accounts import services as accounts

    user = make_user(second_factor=True)
    _, token = _password_step(client, csrf_token, user)
    with client.session_transaction() as session:
        session["twofactor_pending"] = {**session["twofactor_pending"], "until": 1}
    response = _code_step(client, token, totp_code_for(user))
    assert response.status_code == 302 and response.headers["Location"].endswith("/inloggen")
    assert not _is_logged_in(client)

    _, token = _password_step(client, csrf_token, user)
    accounts.end_all_sessions(db.session.get(User, user.id))  # e.g. a password reset
    db.session.commit()
    response = _code_step(client, token, totp_code_for(user))
    assert response.headers["Location"].endswith("/inloggen")
    assert not _is_logged_in(client)


def test_remember_me_survives_the_code_step(client, csrf_token, make_user):
    user = make_user(second_factor=True)
    _, token = _password_step(client, csrf_token, user, remember="y")
    response = _code_step(client, token, totp_code_for(user))
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    assert "remember_token=" in cookies


def _staff_rules(app, prefixes):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefixes) and rule.endpoint != "static":
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                path = re.sub(r"<int:\w+>", "1", rule.rule)
                yield method, re.sub(r"<(?:\w+:)?(\w+)>", "x", path)


MODERATOR_PREFIXES = ("/forum/moderatie", "/initiatieven/beoordelen", "/initiatieven/verouderd")
ADMIN_PREFIXES = ("/beheer", "/tips/<slug>/bewerken", "/gids/<slug>/bewerken")


@pytest.mark.parametrize("role,prefixes", [("moderator", MODERATOR_PREFIXES),
                                           ("admin", ADMIN_PREFIXES + MODERATOR_PREFIXES)])
def test_staff_without_second_factor_are_sent_to_setup(app, client, login, csrf_token, make_user,
                                                       role, prefixes):
    login(make_user(site_role=role, second_factor=False))
    token = csrf_token(client.get("/"))
    routes = list(_staff_rules(app, prefixes))
    assert len(routes) >= (4 if role == "moderator" else 8)
    for method, path in routes:
        response = client.open(path, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (method, path, response.status_code)
        assert response.headers["Location"].endswith("/tweestapsverificatie/instellen"), path
    page = client.get("/tweestapsverificatie/instellen").get_data(as_text=True)
    assert "stel je eerst tweestapsverificatie in" in page
    # Member features keep working.
    for path in ("/profiel", "/forum", "/documenten/nieuw", "/initiatieven/aanmelden"):
        assert client.get(path).status_code == 200, path


def test_staff_powers_return_after_setup(client, login, csrf_token, make_user):
    login(make_user(site_role="admin", second_factor=False))
    assert "Tweestapsverificatie instellen" in client.get("/").get_data(as_text=True)
    assert client.get("/forum/moderatie").status_code == 302
    _set_up_through_pages(client, csrf_token)
    assert client.get("/forum/moderatie").status_code == 200
    assert client.get("/beheer/gebruikers").status_code == 200


def test_members_get_403_not_a_setup_redirect(client, login, make_user):
    login(make_user())
    assert client.get("/forum/moderatie").status_code == 403
    assert client.get("/beheer/gebruikers").status_code == 403
    assert "Tweestapsverificatie instellen" not in client.get("/").get_data(as_text=True)


def test_enrolled_moderator_moderates(client, login, make_user):
    login(make_user(site_role="moderator"))
    assert client.get("/forum/moderatie").status_code == 200
    assert client.get("/beheer/gebruikers").status_code == 403


def test_member_may_opt_in(client, login, csrf_token, make_user):
    user = make_user()
    login(user)  # password only
    assert client.get("/forum/moderatie").status_code == 403
    secret, _ = _set_up_through_pages(client, csrf_token)
    _log_out(client, csrf_token)
    response, token = _password_step(client, csrf_token, user)
    assert response.headers["Location"].endswith("/inloggen/code")
    assert _code_step(client, token, totp_code_for(user, secret)).status_code == 302
    assert _is_logged_in(client)


def test_turning_off_and_new_codes_need_password_and_code(db, client, login, csrf_token,
                                                          make_user):
    user = make_user(second_factor=True)
    login(user)
    token = csrf_token(client.get("/tweestapsverificatie"))
    refused = client.post("/tweestapsverificatie/uitzetten", data={
        "csrf_token": token, "uit-password": "wrong password", "uit-code": totp_code_for(user)})
    assert refused.status_code == 422
    assert "Je wachtwoord klopt niet" in refused.get_data(as_text=True)
    refused = client.post("/tweestapsverificatie/herstelcodes", data={
        "csrf_token": token, "nieuw-password": TEST_PASSWORD, "nieuw-code": "12345"})
    assert refused.status_code == 422
    new = client.post("/tweestapsverificatie/herstelcodes", data={
        "csrf_token": token, "nieuw-password": TEST_PASSWORD, "nieuw-code": totp_code_for(user)})
    codes = CODE_ON_PAGE.findall(new.get_data(as_text=True))
    assert new.status_code == 200 and len(codes) == 10
    off = client.post("/tweestapsverificatie/uitzetten", data={  # a recovery code works too
        "csrf_token": token, "uit-password": TEST_PASSWORD, "uit-code": codes[0]})
    assert off.status_code == 302
    assert db.session.scalar(select(func.count(TotpCredential.id))) == 0
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0


def test_reset_2fa_command(app, db, runner, make_user):
    user = make_user(site_role="moderator")
    services.new_recovery_codes(user)
    db.session.commit()
    epoch = user.session_epoch
    result = runner.invoke(args=["reset-2fa", user.email.upper()])
    assert result.exit_code == 0, result.output
    assert "staat uit" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(TotpCredential.id))) == 0
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0
    assert db.session.get(User, user.id).session_epoch == epoch + 1
    unknown = runner.invoke(args=["reset-2fa", "niemand@example.nl"])
    assert unknown.exit_code != 0 and "Geen account" in unknown.output


def test_admin_user_list_shows_whether_2fa_is_on(client, login, make_user):
    login(make_user(site_role="admin", email="baas@example.nl"))
    make_user(email="lid@example.nl")
    page = client.get("/beheer/gebruikers").get_data(as_text=True)
    rows = {email: row for row in page.split("<tr>")
            for email in ("baas@example.nl", "lid@example.nl") if email in row}
    assert "<td>Aan</td>" in rows["baas@example.nl"]
    assert "<td>Uit</td>" in rows["lid@example.nl"]


def test_secret_unreadable_with_another_secret_key(app, make_user):
    credential = make_user(second_factor=True).totp_credential
    assert services.secret_of(credential) == TEST_TOTP_SECRET
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-0987654321"
    assert services.secret_of(credential) is None
    assert not services.verify_code(credential, TOTP.now())


def test_twofactor_pages_are_valid_html(vnu_jar, client, login, csrf_token, make_user,  # noqa: F811
                                        tmp_path):
    user = make_user()
    login(user)
    pages = {"overview off": client.get("/tweestapsverificatie"),
             "intro": client.get("/tweestapsverificatie/instellen")}
    client.post("/tweestapsverificatie/instellen/start",
                data={"csrf_token": csrf_token(pages["intro"])})
    pages["setup"] = client.get("/tweestapsverificatie/instellen")
    pages["setup error"] = client.post("/tweestapsverificatie/instellen", data={
        "csrf_token": csrf_token(pages["setup"]), "code": "x"})
    secret = SECRET_ON_PAGE.search(pages["setup"].get_data(as_text=True)).group(1).replace(" ", "")
    pages["codes"] = client.post("/tweestapsverificatie/instellen", data={
        "csrf_token": csrf_token(pages["setup"]), "code": pyotp.TOTP(secret).now()})
    pages["overview on"] = client.get("/tweestapsverificatie")
    pages["overview error"] = client.post("/tweestapsverificatie/uitzetten", data={
        "csrf_token": csrf_token(pages["setup"]), "uit-password": "x", "uit-code": "x"})
    _log_out(client, csrf_token)
    _, token = _password_step(client, csrf_token, user)
    pages["login code"] = client.get("/inloggen/code")
    pages["login code error"] = _code_step(client, token, "x")
    errors = _validate(vnu_jar, {name: r.get_data(as_text=True) for name, r in pages.items()},
                       tmp_path)
    assert errors == [], "\n".join(errors)
