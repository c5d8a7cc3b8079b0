"""Authorisation matrix (catalogue Z01-Z03, Z06): every route x every role against the explicit
table in tests/authorisation_table.py; object-level checks by pointing the member at initiative
B's objects; extra form fields that must never reach the database."""

import re

import pytest
from sqlalchemy import select

from kennisnet.extensions import db
from tests.authorisation_table import TABLE
from tests.crawl_support import (
    ROLES,
    ErrorLog,
    build_path,
    build_world,
    database_fingerprint,
    is_login_redirect,
    log_in_as,
    routes,
)

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
REFUSED = {"F", "N"}


def observed(response) -> str:
    if response.status_code >= 500:
        return "E"
    if is_login_redirect(response):
        return "L"
    return {403: "F", 404: "N", 405: "M"}.get(response.status_code, "A")


def agrees(expected: str, response) -> bool:
    seen = observed(response)
    if expected == "R":
        return seen == "A" and 300 <= response.status_code < 400
    return seen == expected


@pytest.fixture
def world(app, make_user, make_initiative):
    app.config.update(FORUM_MIN_FILL_SECONDS=0)
    return build_world(make_user, make_initiative, app)


def csrf_for(client) -> str:
    return CSRF.search(client.get("/wachtwoord-vergeten").get_data(as_text=True)).group(1)


def resolve(world, role: str, values: dict, theirs: bool = False) -> dict:
    resolved = {}
    for name, value in values.items():
        if not isinstance(value, str) or value not in world.fixed and value not in world.copies:
            resolved[name] = value
        elif theirs and value in world.theirs:
            resolved[name] = world.theirs[value]
        else:
            resolved[name] = world.value(value, role)
    return resolved


def send(client, rule, method: str, entry, world, role: str, token: str, theirs=False):
    path = build_path(rule, resolve(world, role, entry.args, theirs))
    query = resolve(world, role, entry.query)
    if method == "GET":
        return client.get(path, query_string=query)
    return client.post(path, query_string=query, data={"csrf_token": token})


def planned(app):
    """(rule, method, entry) in table order: reads first, destructive requests last."""
    found = []
    for rule, method in routes(app):
        entry = TABLE.get(rule.rule)
        if entry is not None and getattr(entry, method.lower()) is not None:
            found.append((0 if method == "GET" else entry.stage, rule, method, entry))
    found.sort(key=lambda item: (item[0], item[1].rule, item[2]))
    return [(rule, method, entry) for _stage, rule, method, entry in found]


def test_every_route_and_method_is_in_the_table(app):
    missing = sorted(f"{method} {rule.rule} ({rule.endpoint})" for rule, method in routes(app)
                     if getattr(TABLE.get(rule.rule), method.lower(), None) is None)
    assert not missing, "routes without an entry in tests/authorisation_table.py:\n" + "\n".join(
        missing)
    unused = set(TABLE) - {rule.rule for rule in app.url_map.iter_rules()}
    assert not unused, f"table entries for routes that no longer exist: {sorted(unused)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says(app, client, login, world, role, report_figure):
    log_in_as(client, login, world, role)
    token = csrf_for(client)
    index = ROLES.index(role)
    wrong, checked = [], 0
    with ErrorLog() as errors:
        for rule, method, entry in planned(app):
            expected = getattr(entry, method.lower())[index]
            response = send(client, rule, method, entry, world, role, token)
            checked += 1
            if not agrees(expected, response):
                wrong.append(f"{method} {rule.rule}: expected {expected}, got "
                             f"{response.status_code} {response.headers.get('Location', '')}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
    assert not errors.records, [r.getMessage() for r in errors.records]
    report_figure(f"authorisation matrix: requests as {role}", checked)


def idor_cases(app):
    return [(rule, method, entry) for rule, method, entry in planned(app)
            if method in entry.idor]


def test_member_cannot_reach_the_other_organisations_objects(app, client, login, world,
                                                            report_figure):
    """Z01: the member is allowed on the own copy; on initiative B's object, with the same
    route, the answer is 403 or 404 and not one row in the database changes."""
    cases = idor_cases(app)
    assert len(cases) >= 20
    log_in_as(client, login, world, "member")
    token = csrf_for(client)
    leaks = []
    for rule, method, entry in cases:
        before = database_fingerprint()
        response = send(client, rule, method, entry, world, "member", token, theirs=True)
        if observed(response) not in REFUSED or database_fingerprint() != before:
            leaks.append(f"{method} {rule.rule}: {response.status_code}")
    assert not leaks, leaks
    report_figure("authorisation matrix: IDOR cases refused", len(cases))


def test_private_document_keys_are_not_guessable(app, client, login, world):
    """Z06: neither an anonymous visitor nor a member of another organisation can fetch a
    members-only file by walking the ids around it."""
    from kennisnet.documents.models import DocumentVersion

    private = world.copies["document"]["member"]
    for role in ("anonymous", "other"):
        log_in_as(client, login, world, role)
        for document_id in range(max(1, private - 3), private + 4):
            if document_id in world.copies["public_document"].values() or \
                    document_id == world.theirs["public_document"]:
                continue
            if role == "other" and document_id in (world.theirs["document"],):
                continue
            response = client.get(f"/documenten/{document_id}/download")
            assert response.status_code == 404, (role, document_id)
    hashes = db.session.scalars(select(DocumentVersion.sha256)).all()
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in hashes)


# --- Mass assignment (Z03) -------------------------------------------------------------------

EXTRA = {"site_role": "admin", "is_admin": "1", "user_id": "1", "author_id": "1",
         "owner_id": "1", "initiative_id": "1", "organisation_id": "999", "status": "published",
         "is_hidden": "1", "is_approved": "1", "id": "9999", "created_at": "2001-01-01",
         "session_epoch": "77", "email_confirmed_at": "2001-01-01", "is_active": "0",
         "email": "kaper@example.nl", "vote_count": "1000", "is_accepted": "1",
         "download_count": "5000", "published_at": "2001-01-01"}


def post_form(client, path: str, **fields):
    page = client.get(path)
    assert page.status_code == 200, path
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    return client.post(path, data={**EXTRA, **fields, "csrf_token": token})


def test_registration_ignores_extra_fields(app, client):
    from kennisnet.accounts.models import User

    response = post_form(client, "/aanmelden", display_name="Nieuwe Vrijwilliger",
                         email="nieuw@example.nl", password="een lange zin van mij",
                         password_again="een lange zin van mij")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nieuw@example.nl"))
    assert user.site_role == "member" and user.email_confirmed_at is None
    assert user.session_epoch == 0 and user.is_active and user.id != 9999
    assert user.created_at.year > 2001


def test_profile_ignores_extra_fields(app, client, login, world):
    member = world.users["member"]
    log_in_as(client, login, world, "member")
    response = post_form(client, "/profiel", display_name="Mira Nieuw", bio="Hallo")
    assert response.status_code == 302
    db.session.expire_all()
    assert member.display_name == "Mira Nieuw"
    assert (member.site_role, member.email, member.is_active) == ("member", "lid@example.nl",
                                                                  True)
    assert member.created_at.year > 2001 and member.id != 9999


def test_question_edit_ignores_extra_fields(app, client, login, world):
    from kennisnet.forum.models import Question

    question_id = world.copies["question"]["member"]
    log_in_as(client, login, world, "member")
    response = post_form(client, f"/forum/vraag/{question_id}/bewerken",
                         title="Hoe regelen we vervoer in het dorp?",
                         body="Nieuwe tekst van de vraag.")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    question = db.session.get(Question, question_id)
    assert question.body == "Nieuwe tekst van de vraag."
    assert question.author_id == world.users["member"].id
    assert not question.is_hidden and question.created_at.year > 2001
    assert question.organisation_id == world.fixed["org_a_id"]


def test_document_edit_ignores_extra_fields(app, client, login, world):
    from kennisnet.documents.models import Document

    document_id = world.copies["document"]["member"]
    log_in_as(client, login, world, "member")
    response = post_form(client, f"/documenten/{document_id}/bewerken", title="Nieuwe titel",
                         doc_type="statuten", licence="cc-by-4.0", visibility="openbaar",
                         organisation_id=str(world.fixed["org_a_id"]))
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    document = db.session.get(Document, document_id)
    assert document.title == "Nieuwe titel"
    assert document.owner_id == world.users["member"].id
    assert not document.is_hidden and document.download_count == 0
    assert document.published_at.year > 2001


def test_initiative_edit_ignores_extra_fields(app, client, login, world):
    from kennisnet.initiatives.models import Initiative

    log_in_as(client, login, world, "member")
    slug = world.fixed["org"]
    page = client.get(f"/initiatieven/{slug}/bewerken")
    fields = form_values(page.get_data(as_text=True))
    fields["description"] = "Een nieuwe beschrijving."
    response = client.post(f"/initiatieven/{slug}/bewerken", data={**EXTRA, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    db.session.expire_all()
    initiative = db.session.scalar(select(Initiative).where(Initiative.slug == slug))
    assert initiative.description == "Een nieuwe beschrijving."
    assert initiative.is_approved and initiative.id != 9999
    assert initiative.status != "published"


def form_values(html: str) -> dict:
    """The values the edit form shows (inputs, selected options, text areas), as a browser
    would send them back."""
    from lxml import html as lxml_html

    form = max((f for f in lxml_html.fromstring(html).forms if f.method.upper() == "POST"),
               key=lambda f: len(f.inputs))  # the edit form, not the header's small forms
    values = {}
    for name, value in form.form_values():
        values.setdefault(name, value)
    return values


def test_site_role_form_cannot_raise_an_unknown_role(app, client, login, world):
    log_in_as(client, login, world, "admin")
    page = client.get("/beheer/gebruikers")
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    stranger = world.users["stranger"]
    response = client.post(f"/beheer/gebruikers/{stranger.id}/rol",
                           data={"csrf_token": token, "site_role": "superuser"})
    assert response.status_code == 400
    db.session.expire_all()
    assert stranger.site_role == "member"
