import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kennisnet.accounts.models import User
from kennisnet.database import utcnow
from tests.conftest import TEST_PASSWORD


def _links(message) -> list[str]:
    return re.findall(r"http://\S+", message.get_content())


def _register(client, csrf_token, email="nieuw@example.nl", name="Annie", password=TEST_PASSWORD):
    page = client.get("/aanmelden")
    return client.post("/aanmelden", data={
        "csrf_token": csrf_token(page), "display_name": name, "email": email,
        "password": password, "password_again": password,
    })


def test_register_confirm_and_login(client, csrf_token, sent_mail, db):
    response = _register(client, csrf_token)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/aanmelden/controleer-je-mail")
    user = db.session.scalar(select(User).where(User.email == "nieuw@example.nl"))
    assert user.email_confirmed_at is None

    [message] = sent_mail()
    assert message["To"] == "nieuw@example.nl"
    [link] = _links(message)
    path = link.removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200
    assert client.post(path, data={"csrf_token": csrf_token(page)}).status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed_at is not None

    page = client.get("/inloggen")
    response = client.post("/inloggen", data={"csrf_token": csrf_token(page),
                                              "email": "NIEUW@example.nl",
                                              "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/profiel").status_code == 200


def test_register_answers_identically_for_known_address(client, csrf_token, make_user, sent_mail,
                                                        db):
    make_user(email="bekend@example.nl")
    known = _register(client, csrf_token, email="bekend@example.nl")
    unknown = _register(client, csrf_token, email="onbekend@example.nl")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert db.session.scalar(select(func.count(User.id))) == 2  # no duplicate account
    subjects = [m["Subject"] for m in sent_mail()]
    assert "Je hebt al een account bij kennisnet" in subjects


def test_register_keeps_input_and_explains_errors(client, csrf_token):
    page = client.get("/aanmelden")
    response = client.post("/aanmelden", data={
        "csrf_token": csrf_token(page), "display_name": "Bert", "email": "geen-adres",
        "password": "kort", "password_again": "anders",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Bert"' in html
    assert "Dit is geen geldig e-mailadres." in html
    assert "minstens 10 tekens" in html


def test_unconfirmed_user_cannot_log_in_but_gets_new_link(client, csrf_token, sent_mail):
    _register(client, csrf_token, email="wacht@example.nl")
    page = client.get("/inloggen")
    response = client.post("/inloggen", data={"csrf_token": csrf_token(page),
                                              "email": "wacht@example.nl",
                                              "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/profiel").status_code == 302
    assert len(sent_mail()) == 2


def test_wrong_password_and_unknown_account_look_the_same(client, csrf_token, make_user):
    make_user(email="echt@example.nl")
    answers = []
    for email in ("echt@example.nl", "niemand@example.nl"):
        page = client.get("/inloggen")
        response = client.post("/inloggen", data={"csrf_token": csrf_token(page), "email": email,
                                                  "password": "fout wachtwoord 123"})
        html = response.get_data(as_text=True)
        wrong = "Het e-mailadres of het wachtwoord klopt niet." in html
        answers.append((response.status_code, wrong))
    assert answers == [(401, True), (401, True)]


def test_dummy_hash_is_a_real_hash_with_current_parameters(app):
    from kennisnet.accounts.services import _dummy_hash

    method = app.config["PASSWORD_HASH_METHOD"]
    assert _dummy_hash(method).startswith(method + "$")


def test_production_hashing_meets_asvs(tmp_path):
    import config

    assert config.load(str(tmp_path))["PASSWORD_HASH_METHOD"] == "pbkdf2:sha256:600000"


def test_login_is_rate_limited_per_account(client, csrf_token, make_user, app):
    user = make_user()
    limit = app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    for _ in range(limit):
        page = client.get("/inloggen")
        client.post("/inloggen", data={"csrf_token": csrf_token(page), "email": user.email,
                                       "password": "fout wachtwoord 123"})
    page = client.get("/inloggen")
    response = client.post("/inloggen", data={"csrf_token": csrf_token(page),
                                              "email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Even wachten" in response.get_data(as_text=True)


def test_login_is_rate_limited_per_ip(client, csrf_token, app):
    app.config["LOGIN_LIMIT_PER_IP"] = 3
    statuses = []
    for n in range(4):
        page = client.get("/inloggen")
        statuses.append(client.post("/inloggen", data={
            "csrf_token": csrf_token(page), "email": f"iemand{n}@example.nl",
            "password": "fout wachtwoord 123"}).status_code)
    assert statuses == [401, 401, 401, 429]


def test_rate_limit_window_expires(app, db):
    from kennisnet import ratelimit
    from kennisnet.accounts.models import RateLimitHit

    for _ in range(3):
        db.session.add(RateLimitHit(key="k", at=utcnow() - timedelta(minutes=20)))
    db.session.commit()
    assert ratelimit.seconds_until_allowed("k", 3, timedelta(minutes=15)) == 0
    assert ratelimit.seconds_until_allowed("k", 3, timedelta(minutes=30)) > 0


def test_password_reset_flow_ends_old_sessions(app, client, csrf_token, make_user, sent_mail,
                                               login):
    user = make_user(email="vergeten@example.nl")
    other_device = app.test_client()
    login(user)
    page = other_device.get("/inloggen")
    other_device.post("/inloggen", data={"csrf_token": csrf_token(page), "email": user.email,
                                         "password": TEST_PASSWORD})
    assert other_device.get("/profiel").status_code == 200

    page = client.get("/wachtwoord-vergeten")
    response = client.post("/wachtwoord-vergeten", data={"csrf_token": csrf_token(page),
                                                         "email": user.email})
    assert response.status_code == 200
    [link] = _links(sent_mail()[-1])
    path = link.removeprefix("http://localhost")
    page = client.get(path)
    new_password = "een heel nieuw wachtwoord"
    response = client.post(path, data={"csrf_token": csrf_token(page), "password": new_password,
                                       "password_again": new_password})
    assert response.status_code == 302
    assert other_device.get("/profiel").status_code == 302  # logged out everywhere
    assert client.get(path).status_code == 302  # the link works once
    login(user, password=new_password)


def test_reset_request_answers_the_same_for_unknown_address(client, csrf_token, make_user,
                                                           sent_mail):
    make_user(email="wel@example.nl")
    bodies = []
    for email in ("wel@example.nl", "niet@example.nl"):
        page = client.get("/wachtwoord-vergeten")
        response = client.post("/wachtwoord-vergeten", data={"csrf_token": csrf_token(page),
                                                             "email": email})
        bodies.append((response.status_code, response.get_data(as_text=True)))
    assert bodies[0] == bodies[1]
    assert len(sent_mail()) == 1


def test_bad_reset_token_is_refused(client):
    response = client.get("/nieuw-wachtwoord/niet-geldig")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wachtwoord-vergeten")


def test_logout_ends_copied_sessions(app, client, csrf_token, make_user, login):
    user = make_user()
    login(user)
    copied_cookie = client.get_cookie("session").value
    page = client.get("/profiel")
    assert client.post("/uitloggen", data={"csrf_token": csrf_token(page)}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied_cookie)
    assert thief.get("/profiel").status_code == 302


def test_logout_needs_post_and_csrf(client, make_user, login):
    login(make_user())
    assert client.get("/uitloggen").status_code == 405
    assert client.post("/uitloggen").status_code == 400
    assert client.get("/profiel").status_code == 200


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "http:/evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x=y", " //evil.example",
    "https:evil.example", "\t//evil.example", "/\t/evil.example", "data:text/html,hoi",
])
def test_login_next_accepts_only_local_paths(client, csrf_token, make_user, target):
    user = make_user()
    page = client.get("/inloggen")
    response = client.post("/inloggen", query_string={"next": target}, data={
        "csrf_token": csrf_token(page), "email": user.email, "password": TEST_PASSWORD})
    location = response.headers["Location"]
    assert location in ("/", "http://localhost/") or (
        location.startswith("/") and not location.startswith("//") and "evil" not in location
    )


def test_login_next_local_path_is_followed(client, csrf_token, make_user):
    user = make_user()
    page = client.get("/inloggen")
    response = client.post("/inloggen", query_string={"next": "/tips?fase=groei"}, data={
        "csrf_token": csrf_token(page), "email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/tips?fase=groei"


def test_profile_edit_saves_and_validates(client, csrf_token, make_user, login, db):
    user = make_user()
    login(user)
    page = client.get("/profiel")
    response = client.post("/profiel", data={
        "csrf_token": csrf_token(page), "display_name": "Jan uit Hoogeloon",
        "field_role": "dorpsondersteuner", "province": "noord-brabant",
        "bio": "Ik help in het dorp."})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.field_role, user.province) == (
        "Jan uit Hoogeloon", "dorpsondersteuner", "noord-brabant")

    response = client.post("/profiel", data={
        "csrf_token": csrf_token(page), "display_name": "", "field_role": "koning",
        "province": "noord-brabant", "bio": "Bewaard"})
    assert response.status_code == 422
    assert "Bewaard" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.display_name == "Jan uit Hoogeloon"


def test_change_password_keeps_this_session_and_ends_others(app, client, csrf_token, make_user,
                                                            login):
    user = make_user()
    login(user)
    other = app.test_client()
    page = other.get("/inloggen")
    other.post("/inloggen", data={"csrf_token": csrf_token(page), "email": user.email,
                                  "password": TEST_PASSWORD})
    page = client.get("/profiel/wachtwoord")
    new = "nog een ander wachtwoord"
    response = client.post("/profiel/wachtwoord", data={
        "csrf_token": csrf_token(page), "current_password": TEST_PASSWORD,
        "password": new, "password_again": new})
    assert response.status_code == 302
    assert client.get("/profiel").status_code == 200
    assert other.get("/profiel").status_code == 302


def test_session_cookie_flags(client, make_user, login):
    response = login(make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_admin_gives_moderator_role(client, csrf_token, make_user, login, db):
    admin = make_user(site_role="admin")
    member = make_user(display_name="Mieke")
    login(admin)
    page = client.get("/beheer/gebruikers")
    assert page.status_code == 200
    response = client.post(f"/beheer/gebruikers/{member.id}/rol",
                           data={"csrf_token": csrf_token(page), "site_role": "moderator"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.site_role == "moderator"


def test_user_search_takes_percent_and_underscore_literally(client, make_user, login):
    login(make_user(site_role="admin", display_name="Beheerder"))
    make_user(display_name="Anna_100%")
    make_user(display_name="Bert")
    assert "Anna_100%" in client.get("/beheer/gebruikers?q=_100%25").get_data(as_text=True)
    page = client.get("/beheer/gebruikers?q=%25").get_data(as_text=True)
    assert "Anna_100%" in page and "Bert" not in page


def test_member_cannot_manage_roles(client, csrf_token, make_user, login, db):
    member = make_user()
    other = make_user()
    login(member)
    assert client.get("/beheer/gebruikers").status_code == 403
    page = client.get("/profiel")
    response = client.post(f"/beheer/gebruikers/{other.id}/rol",
                           data={"csrf_token": csrf_token(page), "site_role": "admin"})
    assert response.status_code == 403
    db.session.refresh(other)
    assert other.site_role == "member"


def test_cli_creates_admin_and_sets_role(runner, db, make_user):
    result = runner.invoke(args=["create-user", "--email", "baas@example.nl", "--name", "Baas",
                                 "--password", "lang genoeg wachtwoord", "--admin"])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.email == "baas@example.nl"))
    assert admin.site_role == "admin" and admin.email_confirmed_at is not None
    member = make_user()
    result = runner.invoke(args=["set-role", member.email, "moderator"])
    assert result.exit_code == 0, result.output
    db.session.refresh(member)
    assert member.site_role == "moderator"


def test_mail_links_outside_a_request_use_the_base_url(app):
    from kennisnet.mail import absolute_url

    app.config["BASE_URL"] = "https://kennisnet.example"
    assert absolute_url("tips.tip_list") == "https://kennisnet.example/tips"


def test_mail_goes_over_smtp_when_configured(app):
    """A real SMTP exchange with a tiny server on loopback."""
    import socket
    import threading

    from kennisnet.mail import send_mail

    received = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        conn, _ = listener.accept()
        reader = conn.makefile("rb")
        conn.sendall(b"220 test\r\n")
        in_data = False
        for raw in reader:
            line = raw.decode().rstrip("\r\n")
            if in_data:
                if line == ".":
                    in_data = False
                    conn.sendall(b"250 ok\r\n")
                else:
                    received.append(line)
                continue
            verb = line.split(" ")[0].upper()
            if verb == "DATA":
                in_data = True
                conn.sendall(b"354 go\r\n")
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                break
            else:
                conn.sendall(b"250 ok\r\n")
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=listener.getsockname()[1],
                      MAIL_USE_TLS=False)
    send_mail("iemand@example.nl", "Onderwerp", "Hallo daar")
    thread.join(timeout=5)
    listener.close()
    assert "Subject: Onderwerp" in received
    assert "Hallo daar" in received


def test_refused_smtp_is_logged_or_raised_for_queues(app):
    import socket

    from kennisnet.mail import send_mail

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens here any more: the connection is refused
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    send_mail("a@example.nl", "Onderwerp", "Tekst")  # a request never fails on mail
    with pytest.raises(OSError):
        send_mail("a@example.nl", "Onderwerp", "Tekst", raise_errors=True)


def test_prune_attempts_forgets_only_old_counts(runner, db):
    from kennisnet.accounts.models import RateLimitHit

    db.session.add(RateLimitHit(key="oud", at=utcnow() - timedelta(days=3)))
    db.session.add(RateLimitHit(key="nieuw"))
    db.session.commit()
    result = runner.invoke(args=["prune-attempts"])
    assert result.exit_code == 0, result.output
    assert "1 oude pogingen verwijderd." in result.output
    assert [hit.key for hit in db.session.scalars(select(RateLimitHit))] == ["nieuw"]
