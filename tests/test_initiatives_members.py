"""Registration with approval, memberships, invitations, roles, freshness and permissions."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kennisnet.initiatives import services
from kennisnet.initiatives.models import Initiative, Invitation, JoinRequest, Membership
from tests import factories_initiatives

FORM = {"name": "Zorgcoöperatie Ons Dorp", "description": "Wij helpen elkaar.",
        "kind": "zorgcooperatie", "legal_form": "cooperatie", "status": "in_oprichting",
        "services": ["vervoer", "maaltijden"], "place": "Ons Dorp", "municipality": "Gemeente",
        "province": "gelderland", "latitude": "52.1", "longitude": "5.9", "founded_year": "2024",
        "website": "https://onsdorp.nl", "contact_email": "info@onsdorp.nl"}

# Fixtures shared with the other initiatives tests.
add_member = factories_initiatives.add_member
make_network = factories_initiatives.make_network


def _post(client, csrf_token, path, data=None, page=None):
    token = csrf_token(client.get(page or path))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _role(db, user, organisation):
    return db.session.scalar(select(Membership.role).where(
        Membership.user_id == user.id, Membership.organisation_id == organisation.id))


def test_registration_needs_login(client):
    response = client.get("/initiatieven/aanmelden")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_registration_then_moderator_approval(client, db, make_user, login, csrf_token,
                                              sent_mail):
    member, moderator = make_user(), make_user(site_role="moderator")
    login(member)
    response = _post(client, csrf_token, "/initiatieven/aanmelden", FORM)
    assert response.status_code == 302
    assert [m["To"] for m in sent_mail()] == [moderator.email]
    initiative = db.session.scalar(select(Initiative).where(Initiative.name == FORM["name"]))
    assert initiative.is_approved is False and initiative.slug == "zorgcooperatie-ons-dorp"
    assert initiative.service_keys == ["maaltijden", "vervoer"]
    assert initiative.latitude == 52.1 and initiative.founded_year == 2024
    assert _role(db, member, initiative) == "beheerder"
    client.post("/uitloggen", data={"csrf_token": csrf_token(client.get("/"))})
    assert client.get("/initiatieven/zorgcooperatie-ons-dorp").status_code == 404
    assert "Ons Dorp" not in client.get("/initiatieven").get_data(as_text=True)

    login(moderator)
    review = client.get("/initiatieven/beoordelen")
    assert FORM["name"] in review.get_data(as_text=True)
    response = client.post("/initiatieven/zorgcooperatie-ons-dorp/goedkeuren",
                           data={"csrf_token": csrf_token(review)})
    assert response.status_code == 302
    db.session.refresh(initiative)
    assert initiative.is_approved and initiative.confirmed_at is not None
    assert sent_mail()[-1]["To"] == member.email
    client.post("/uitloggen", data={"csrf_token": csrf_token(client.get("/"))})
    assert client.get("/initiatieven/zorgcooperatie-ons-dorp").status_code == 200


def test_moderator_can_refuse_a_registration(client, db, make_user, make_initiative, add_member,
                                             login, csrf_token, sent_mail):
    applicant = make_user()
    initiative = make_initiative(slug="twijfel", is_approved=False)
    add_member(applicant, initiative, role="beheerder")
    login(make_user(site_role="moderator"))
    response = _post(client, csrf_token, "/initiatieven/twijfel/afwijzen",
                     page="/initiatieven/beoordelen")
    assert response.status_code == 302
    assert db.session.scalar(select(Initiative).where(Initiative.slug == "twijfel")) is None
    assert sent_mail()[-1]["To"] == applicant.email


def test_members_cannot_approve(client, make_user, make_initiative, login, csrf_token, db):
    initiative = make_initiative(slug="wacht", is_approved=False)
    login(make_user())
    assert client.get("/initiatieven/beoordelen").status_code == 403
    assert _post(client, csrf_token, "/initiatieven/wacht/goedkeuren",
                 page="/initiatieven").status_code == 403
    db.session.refresh(initiative)
    assert initiative.is_approved is False


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "Naam van het initiatief"),
    ({"latitude": "48.85", "longitude": "2.35"}, "niet in Nederland"),
    ({"latitude": "52.1", "longitude": ""}, "zowel de breedtegraad als de lengtegraad"),
    ({"latitude": "noord"}, "Breedtegraad"),
    ({"website": "javascript:alert(1)"}, "https://"),
    ({"founded_year": "1200"}, "tussen 1800 en nu"),
    ({"province": "mars"}, "Provincie"),
])
def test_registration_rejects_bad_input_and_keeps_what_was_typed(client, db, make_user, login,
                                                                  csrf_token, changes, message):
    login(make_user())
    response = _post(client, csrf_token, "/initiatieven/aanmelden", {**FORM, **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "Er is iets niet goed ingevuld" in html
    assert "Wij helpen elkaar." in html
    assert db.session.scalar(select(Initiative.id)) is None


def test_slug_never_takes_a_page_name(app, make_user):
    user = make_user()
    initiative = services.register_initiative(user, {**FORM, "name": "Cijfers",
                                                     "latitude": None, "longitude": None})
    assert initiative.slug == "cijfers-2"


def test_administrator_edits_profile(client, db, make_initiative, make_user, add_member, login,
                                     csrf_token):
    initiative = make_initiative(slug="bewerk")
    admin = make_user()
    add_member(admin, initiative, role="beheerder")
    login(admin)
    page = client.get("/initiatieven/bewerk/bewerken")
    assert page.status_code == 200
    response = client.post("/initiatieven/bewerk/bewerken", data={
        "csrf_token": csrf_token(page), **FORM, "name": "Nieuwe Naam", "services": ["vervoer"]})
    assert response.status_code == 302
    db.session.refresh(initiative)
    assert initiative.name == "Nieuwe Naam" and initiative.service_keys == ["vervoer"]
    assert initiative.slug == "bewerk"  # links keep working


@pytest.mark.parametrize("role, status", [(None, 403), ("lid", 403), ("redacteur", 403),
                                          ("beheerder", 200), ("moderator", 200)])
def test_who_may_edit_and_manage_members(client, make_initiative, make_user, add_member, login,
                                         role, status):
    initiative = make_initiative(slug="rechten")
    user = make_user(site_role="moderator" if role == "moderator" else "member")
    if role in ("lid", "redacteur", "beheerder"):
        add_member(user, initiative, role=role)
    login(user)
    assert client.get("/initiatieven/rechten/bewerken").status_code == status
    assert client.get("/initiatieven/rechten/leden").status_code == status


def test_join_request_accepted(client, db, make_initiative, make_user, add_member, login,
                               csrf_token, sent_mail):
    initiative = make_initiative(slug="club")
    admin, member = make_user(), make_user()
    add_member(admin, initiative, role="beheerder")
    login(member)
    response = _post(client, csrf_token, "/initiatieven/club/lid-worden",
                     {"message": "Ik woon hier."}, page="/initiatieven/club")
    assert response.status_code == 302
    assert sent_mail()[-1]["To"] == admin.email
    assert "gevraagd om lid te worden" in client.get("/initiatieven/club").get_data(as_text=True)
    again = _post(client, csrf_token, "/initiatieven/club/lid-worden", page="/")
    assert again.status_code == 302
    assert len(db.session.scalars(select(JoinRequest)).all()) == 1

    client.post("/uitloggen", data={"csrf_token": csrf_token(client.get("/"))})
    login(admin)
    page = client.get("/initiatieven/club/leden")
    assert "Ik woon hier." in page.get_data(as_text=True)
    request_id = db.session.scalar(select(JoinRequest.id))
    response = client.post(f"/initiatieven/club/verzoeken/{request_id}",
                           data={"csrf_token": csrf_token(page), "besluit": "accepteren"})
    assert response.status_code == 302
    assert _role(db, member, initiative) == "lid"
    assert db.session.scalar(select(JoinRequest.id)) is None
    assert sent_mail()[-1]["To"] == member.email


def test_join_request_refused(app, client, db, make_initiative, make_user, add_member, login,
                              csrf_token):
    initiative = make_initiative(slug="club")
    admin, member = make_user(), make_user()
    add_member(admin, initiative, role="beheerder")
    with app.test_request_context():
        services.request_membership(member, initiative)
    db.session.commit()
    login(admin)
    request_id = db.session.scalar(select(JoinRequest.id))
    response = _post(client, csrf_token, f"/initiatieven/club/verzoeken/{request_id}",
                     {"besluit": "weigeren"}, page="/initiatieven/club/leden")
    assert response.status_code == 302
    assert _role(db, member, initiative) is None
    assert db.session.scalar(select(JoinRequest.id)) is None


def test_only_administrators_answer_join_requests(app, client, db, make_initiative, make_user,
                                                  add_member, login, csrf_token):
    initiative = make_initiative(slug="club")
    editor, member = make_user(), make_user()
    add_member(editor, initiative, role="redacteur")
    with app.test_request_context():
        services.request_membership(member, initiative)
    db.session.commit()
    login(editor)
    request_id = db.session.scalar(select(JoinRequest.id))
    response = _post(client, csrf_token, f"/initiatieven/club/verzoeken/{request_id}",
                     {"besluit": "accepteren"}, page="/initiatieven/club")
    assert response.status_code == 403
    assert _role(db, member, initiative) is None


def test_invitation_by_email(client, db, make_initiative, make_user, add_member, login,
                             csrf_token, sent_mail):
    initiative = make_initiative(slug="club")
    admin, guest = make_user(), make_user(email="gast@example.nl")
    add_member(admin, initiative, role="beheerder")
    login(admin)
    response = _post(client, csrf_token, "/initiatieven/club/uitnodigen",
                     {"email": "Gast@Example.nl"}, page="/initiatieven/club/leden")
    assert response.status_code == 302
    message = sent_mail()[-1]
    assert message["To"] == "gast@example.nl"
    link = re.search(r"http://localhost(/uitnodiging/\S+)", message.get_content()).group(1)
    invitation = db.session.scalar(select(Invitation))
    assert link.rsplit("/", 1)[1] not in invitation.token_hash  # only the hash is stored

    client.post("/uitloggen", data={"csrf_token": csrf_token(client.get("/"))})
    assert client.get(link).status_code == 302  # log in first
    login(guest)
    page = client.get(link)
    assert page.status_code == 200
    assert client.post(link, data={"csrf_token": csrf_token(page)}).status_code == 302
    assert _role(db, guest, initiative) == "lid"
    assert client.get(link).status_code == 404  # used once


def test_invite_form_errors_rerender_with_422(client, make_initiative, make_user, add_member,
                                              login, csrf_token, sent_mail):
    initiative = make_initiative(slug="club")
    admin = make_user()
    add_member(admin, initiative, role="beheerder")
    login(admin)
    response = _post(client, csrf_token, "/initiatieven/club/uitnodigen", {"email": "geen-adres"},
                     page="/initiatieven/club/leden")
    assert response.status_code == 422
    assert "geen-adres" in response.get_data(as_text=True)
    assert sent_mail() == []


def test_unknown_invitation_is_404(client, make_user, login):
    login(make_user())
    assert client.get("/uitnodiging/verzonnen").status_code == 404


def test_administrator_gives_the_editor_role(client, db, make_initiative, make_user, add_member,
                                             login, csrf_token):
    initiative = make_initiative(slug="club")
    admin, member = make_user(), make_user()
    add_member(admin, initiative, role="beheerder")
    membership = add_member(member, initiative)
    login(admin)
    response = _post(client, csrf_token, f"/initiatieven/club/leden/{membership.id}/rol",
                     {"role": "redacteur"}, page="/initiatieven/club/leden")
    assert response.status_code == 302
    assert _role(db, member, initiative) == "redacteur"
    bad = _post(client, csrf_token, f"/initiatieven/club/leden/{membership.id}/rol",
                {"role": "koning"}, page="/initiatieven/club/leden")
    assert bad.status_code == 302
    assert _role(db, member, initiative) == "redacteur"


def test_last_administrator_cannot_step_down(client, db, make_initiative, make_user, add_member,
                                             login, csrf_token):
    initiative = make_initiative(slug="club")
    admin = make_user()
    membership = add_member(admin, initiative, role="beheerder")
    login(admin)
    response = _post(client, csrf_token, f"/initiatieven/club/leden/{membership.id}/rol",
                     {"role": "lid"}, page="/initiatieven/club/leden")
    assert response.status_code == 302
    assert _role(db, admin, initiative) == "beheerder"
    assert "minstens één beheerder" in client.get("/initiatieven/club/leden").get_data(
        as_text=True)


def test_role_change_of_another_organisations_member_is_404(client, make_initiative, make_user,
                                                            add_member, login, csrf_token):
    mine, other = make_initiative(slug="mijn"), make_initiative(slug="ander")
    admin = make_user()
    add_member(admin, mine, role="beheerder")
    foreign = add_member(make_user(), other)
    login(admin)
    response = _post(client, csrf_token, f"/initiatieven/mijn/leden/{foreign.id}/rol",
                     {"role": "beheerder"}, page="/initiatieven/mijn/leden")
    assert response.status_code == 404


# Freshness ---------------------------------------------------------------------------------------

def _age(db, organisation, days):
    organisation.created_at = organisation.confirmed_at = datetime.now(UTC) - timedelta(days=days)
    db.session.commit()


def test_freshness_cycle_with_a_moved_clock(app, client, db, runner, make_initiative, make_user,
                                            add_member, sent_mail):
    initiative = make_initiative(slug="vers")
    admin = make_user(email="beheer@example.nl")
    add_member(admin, initiative, role="beheerder")
    _age(db, initiative, 10)
    result = runner.invoke(args=["initiatives", "ask-confirmation"])
    assert result.exit_code == 0 and "0 profiel" in result.output
    assert sent_mail() == []

    # A year and a bit later: one e-mail, and not a second one the day after.
    later = (datetime.now(UTC) + timedelta(days=380)).strftime("%Y-%m-%d")
    result = runner.invoke(args=["initiatives", "ask-confirmation", "--now", later])
    assert result.exit_code == 0 and "1 profiel" in result.output, result.output
    message = sent_mail()[-1]
    assert message["To"] == "beheer@example.nl" and "Klopt dit nog?" in message["Subject"]
    runner.invoke(args=["initiatives", "ask-confirmation", "--now", later])
    assert len(sent_mail()) == 1

    link = re.search(r"http://localhost(/initiatieven/vers/bevestigen/\S+)",
                     message.get_content()).group(1)
    page = client.get(link)  # no login needed: the link itself is the key
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                      page.get_data(as_text=True)).group(1)
    assert client.post(link, data={"csrf_token": token}).status_code == 302
    db.session.refresh(initiative)
    assert datetime.now(UTC) - initiative.confirmed_at < timedelta(minutes=1)


def test_bad_confirmation_link_is_404(client, make_initiative):
    make_initiative(slug="vers")
    assert client.get("/initiatieven/vers/bevestigen/vervalst").status_code == 404


def test_confirmation_link_only_fits_its_own_profile(app, client, make_initiative):
    first, second = make_initiative(slug="een"), make_initiative(slug="twee")
    token = services.make_confirm_token(first)
    assert client.get(f"/initiatieven/{second.slug}/bevestigen/{token}").status_code == 404
    assert client.get(f"/initiatieven/{first.slug}/bevestigen/{token}").status_code == 200


def test_outdated_profiles_are_marked_and_listed_for_moderators(client, db, make_initiative,
                                                                make_user, login, csrf_token):
    old, fresh = make_initiative(slug="oud", name="Oud"), make_initiative(slug="vers")
    _age(db, old, 600)
    _age(db, fresh, 500)
    assert "niet bevestigd" in client.get("/initiatieven/oud").get_data(as_text=True)
    assert "niet bevestigd" not in client.get("/initiatieven/vers").get_data(as_text=True)
    login(make_user())
    assert client.get("/initiatieven/verouderd").status_code == 403
    client.post("/uitloggen", data={"csrf_token": csrf_token(client.get("/"))})
    login(make_user(site_role="moderator"))
    html = client.get("/initiatieven/verouderd").get_data(as_text=True)
    assert 'href="/initiatieven/oud"' in html and 'href="/initiatieven/vers"' not in html


def test_administrator_confirms_from_the_profile(client, db, make_initiative, make_user,
                                                 add_member, login, csrf_token):
    initiative = make_initiative(slug="oud")
    _age(db, initiative, 600)
    admin = make_user()
    add_member(admin, initiative, role="beheerder")
    login(admin)
    response = _post(client, csrf_token, "/initiatieven/oud/bevestigen", page="/initiatieven/oud")
    assert response.status_code == 302
    assert "niet bevestigd" not in client.get("/initiatieven/oud").get_data(as_text=True)


def test_members_cannot_confirm(client, db, make_initiative, make_user, add_member, login,
                                csrf_token):
    initiative = make_initiative(slug="oud")
    _age(db, initiative, 600)
    member = make_user()
    add_member(member, initiative)
    login(member)
    response = _post(client, csrf_token, "/initiatieven/oud/bevestigen", page="/initiatieven/oud")
    assert response.status_code == 403
    db.session.refresh(initiative)
    assert initiative.is_outdated()


def test_cannot_ask_to_join_an_unapproved_initiative(client, db, make_initiative, make_user,
                                                     login, csrf_token):
    make_initiative(slug="wacht", is_approved=False)
    login(make_user())
    response = _post(client, csrf_token, "/initiatieven/wacht/lid-worden", page="/initiatieven")
    assert response.status_code == 403
    assert db.session.scalar(select(JoinRequest.id)) is None


def test_profile_text_cannot_inject_html(client, make_initiative):
    make_initiative(slug="xss", name="<script>alert(1)</script>",
                    description="<img src=x onerror=alert(1)> **vet**",
                    website="javascript:alert(1)")
    html = client.get("/initiatieven/xss").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "<strong>vet</strong>" in html
    assert 'href="javascript:' not in html
