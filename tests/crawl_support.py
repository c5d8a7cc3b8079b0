"""Shared by the fuzzed crawl and the authorisation matrix: a small world with objects of every
kind, logging in as each of the five roles, and URLs built straight from app.url_map rules.

Objects a role may change come in one copy per role (all owned by the member and initiative A),
so one role deleting or cancelling its copy never changes what the next role meets.
"""

import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from sqlalchemy import select, text
from werkzeug.datastructures import FileStorage

from kennisnet.extensions import db

ROLES = ("anonymous", "member", "other", "moderator", "admin")
PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^<>]+)>")


@dataclass
class World:
    users: dict = field(default_factory=dict)
    # name -> {role: id}; the role's own copy of an object owned by the member / initiative A.
    copies: dict = field(default_factory=dict)
    # name -> value for objects that belong to the other organisation (IDOR targets).
    theirs: dict = field(default_factory=dict)
    # name -> value for single objects that do not need a copy per role.
    fixed: dict = field(default_factory=dict)

    def value(self, name: str, role: str):
        if name in self.copies:
            return self.copies[name][role]
        return self.fixed[name]

    def pool(self) -> dict[str, list]:
        """Every real value by kind of object, for the fuzzer's URL arguments."""
        found: dict[str, list] = {}
        for name, per_role in self.copies.items():
            found.setdefault(name, []).extend(per_role.values())
        for source in (self.fixed, self.theirs):
            for name, value in source.items():
                found.setdefault(name, []).append(value)
        return found


def user_for(world: World, role: str):
    return world.users.get(role)


# --- Building the world --------------------------------------------------------------------

def build_world(make_user, make_initiative, app) -> World:
    from kennisnet.initiatives.models import Membership
    from kennisnet.search import drain_outbox
    from kennisnet.seed import seed_all

    seed_all()
    db.session.commit()
    world = World()
    world.users = {
        "anonymous": None,
        "member": make_user(display_name="Mira Lid", email="lid@example.nl"),
        "other": make_user(display_name="Otto Ander", email="ander@example.nl"),
        "moderator": make_user(display_name="Mo Moderator", email="mod@example.nl",
                               site_role="moderator"),
        "admin": make_user(display_name="Ada Beheer", email="beheer@example.nl",
                           site_role="admin"),
    }
    stranger = make_user(display_name="Stan Vreemd", email="vreemd@example.nl")
    world.users["stranger"] = stranger
    world.fixed["stranger_id"] = stranger.id
    member, other = world.users["member"], world.users["other"]
    org_a = make_initiative(name="Zorgcoöperatie A", slug="zorg-a")
    org_b = make_initiative(name="Dorpsvereniging B", slug="dorp-b", place="Austerlitz")
    db.session.add_all([Membership(user_id=member.id, organisation_id=org_a.id, role="beheerder"),
                        Membership(user_id=other.id, organisation_id=org_b.id,
                                   role="beheerder")])
    db.session.commit()
    world.fixed.update(org=org_a.slug, network=_network(org_a).slug, org_a_id=org_a.id)
    world.theirs.update(org=org_b.slug, org_id=org_b.id)
    _tips_and_guide(world)
    _organisation_copies(world, make_user, make_initiative, org_a, org_b)
    _document_copies(world, app, org_a, org_b)
    _event_copies(world, org_a, org_b)
    _forum_copies(world, org_a, org_b)
    _tokens(world, org_a)
    db.session.commit()
    drain_outbox()
    return world


def _network(org_a):
    from kennisnet.initiatives.models import Network, NetworkMember

    network = Network(slug="netwerk-a", name="Netwerk A", level="regionaal",
                      description="Een netwerk.")
    network.set_provinces(["noord-brabant"])
    network.member_links = [NetworkMember(initiative=org_a)]
    db.session.add(network)
    db.session.commit()
    return network


def _tips_and_guide(world: World) -> None:
    from kennisnet.tips.models import GuidePage, Tip

    world.fixed["tip"] = db.session.scalars(select(Tip.slug).order_by(Tip.number)).first()
    world.fixed["guide"] = db.session.scalars(select(GuidePage.slug)).first()


def _organisation_copies(world, make_user, make_initiative, org_a, org_b) -> None:
    from kennisnet.initiatives.models import Invitation, JoinRequest, Membership
    from kennisnet.initiatives.services import _token_hash

    member, other = world.users["member"], world.users["other"]
    for name in ("pending", "membership", "join_request", "invitation"):
        world.copies[name] = {}
    for role in ROLES:
        pending = make_initiative(name=f"Nieuw initiatief {role}", slug=f"nieuw-{role}",
                                  is_approved=False)
        joiner = make_user(display_name=f"Nieuw lid {role}", email=f"nieuw-{role}@example.nl")
        asker = make_user(display_name=f"Vraagt {role}", email=f"vraagt-{role}@example.nl")
        membership = Membership(user_id=joiner.id, organisation_id=org_a.id, role="lid")
        join_request = JoinRequest(user_id=asker.id, organisation_id=org_a.id, message="Hallo")
        token = f"uitnodiging-{role}-" + "x" * 20
        db.session.add_all([
            Membership(user_id=member.id, organisation_id=pending.id, role="beheerder"),
            membership, join_request,
            Invitation(organisation_id=org_a.id, email=f"genodigd-{role}@example.nl",
                       token_hash=_token_hash(token), invited_by_id=member.id)])
        db.session.flush()
        world.copies["pending"][role] = pending.slug
        world.copies["membership"][role] = membership.id
        world.copies["join_request"][role] = join_request.id
        world.copies["invitation"][role] = token
    pending_b = make_initiative(name="Nieuw initiatief B", slug="nieuw-b", is_approved=False)
    outsider = make_user(display_name="Lid van B", email="lid-b@example.nl")
    membership_b = Membership(user_id=outsider.id, organisation_id=org_b.id, role="lid")
    request_b = JoinRequest(user_id=world.users["stranger"].id, organisation_id=org_b.id)
    token_b = "uitnodiging-b-" + "y" * 20
    db.session.add_all([
        Membership(user_id=other.id, organisation_id=pending_b.id, role="beheerder"),
        membership_b, request_b,
        Invitation(organisation_id=org_b.id, email="genodigd-b@example.nl",
                   token_hash=_token_hash(token_b), invited_by_id=other.id)])
    db.session.commit()
    world.theirs.update(pending=pending_b.slug, membership=membership_b.id,
                        join_request=request_b.id, invitation=token_b)


def _document(app, owner, organisation, title: str, visibility: str) -> int:
    from kennisnet.documents import services

    upload = FileStorage(io.BytesIO(f"{title}\n\nDe leden betalen contributie.\n".encode()),
                         filename="statuten.txt")
    received, kind = services.receive_upload(upload, app.config["MAX_CONTENT_LENGTH"], owner)
    document = services.create_document(owner, {
        "title": title, "description": "Onze statuten.", "doc_type": "statuten",
        "legal_form": "vereniging", "year": 2024, "licence": "cc-by-4.0", "tags": "leden",
        "visibility": visibility, "organisation_id": str(organisation.id)},
        received, kind, "statuten.txt")
    services.publish_version(document.versions[0])
    return document.id


def _document_copies(world, app, org_a, org_b) -> None:
    from kennisnet.documents.models import DocumentReport

    member, other = world.users["member"], world.users["other"]
    world.copies["document"] = {
        role: _document(app, member, org_a, f"Statuten {role}", "organisatie") for role in ROLES}
    world.copies["public_document"] = {
        role: _document(app, member, org_a, f"Openbare statuten {role}", "openbaar")
        for role in ROLES}
    world.theirs["document"] = _document(app, other, org_b, "Statuten van B", "organisatie")
    world.theirs["public_document"] = _document(app, other, org_b, "Folder van B", "openbaar")
    db.session.add(DocumentReport(document_id=world.copies["public_document"]["member"],
                                  user_id=world.users["other"].id, reason="Klopt niet"))
    world.fixed["version"] = 1
    db.session.commit()


def _event(organisation, title: str, **values) -> int:
    from tests.factories_events import make_event

    return make_event(organisation, title=title, capacity=5, **values).id


def _event_copies(world, org_a, org_b) -> None:
    from kennisnet.events import recurrence, services
    from kennisnet.events.models import Event

    world.copies["event"] = {role: _event(org_a, f"Spreekuur {role}") for role in ROLES}
    first = future()  # one start for every series, so one occurrence key fits them all
    world.copies["series"] = {
        role: _event(org_a, f"Inloop {role}", starts_at=first, recurrence="weekly",
                     repeat_count=6) for role in ROLES}
    world.theirs["event"] = _event(org_b, "Spreekuur van B")
    world.theirs["series"] = _event(org_b, "Inloop van B", starts_at=first, recurrence="weekly",
                                    repeat_count=6)
    series = db.session.get(Event, world.copies["series"]["member"])
    world.fixed["occurrence"] = recurrence.occurrences(series)[1].key
    # Everyone who can log in has signed up for their own copy, so they can sign off again.
    for role in ROLES[1:]:
        event = db.session.get(Event, world.copies["event"][role])
        services.register(event, "", world.users[role])
    services.register(db.session.get(Event, world.theirs["event"]), "", world.users["other"])
    db.session.commit()


def _forum_copies(world, org_a, org_b) -> None:
    from kennisnet.forum import moderation
    from kennisnet.forum.models import Answer, ForumTag, Question

    member, other, stranger = (world.users[k] for k in ("member", "other", "stranger"))

    def post(model, author, **values):
        item = model(author_id=author.id, **values)
        item.set_body("Wie heeft hier ervaring mee?")
        db.session.add(item)
        db.session.flush()
        return item

    for name in ("question", "answer", "own_answer", "tag", "action"):
        world.copies[name] = {}
    for role in ROLES:
        question = post(Question, member, title=f"Hoe regelen we vervoer ({role})?",
                        organisation=org_a)
        answer = post(Answer, stranger, question_id=question.id, question=question)
        own_answer = post(Answer, member, question_id=question.id, question=question)
        tag = ForumTag(name=f"Onderwerp {role}", slug=f"onderwerp-{role}")
        db.session.add(tag)
        db.session.flush()
        action = moderation.set_state(world.users["moderator"], own_answer, "hide", "test")
        moderation.set_state(world.users["moderator"], own_answer, "restore", "test")
        world.copies["question"][role] = question.id
        world.copies["answer"][role] = answer.id
        world.copies["own_answer"][role] = own_answer.id
        world.copies["tag"][role] = tag.id
        world.copies["action"][role] = action.id
    question_b = post(Question, other, title="Vraag van B", organisation=org_b)
    answer_b = post(Answer, other, question_id=question_b.id, question=question_b)
    world.theirs.update(question=question_b.id, answer=answer_b.id, own_answer=answer_b.id)
    world.fixed["tag_slug"] = "onderwerp-member"
    world.fixed["target_question"] = question_b.id
    db.session.commit()


def _tokens(world, org_a) -> None:
    """Secret links as the mails carry them; reset and confirm links belong to the stranger,
    so a fuzzed reset never logs a role out."""
    from flask import url_for

    from kennisnet.accounts.tokens import make_confirm_token, make_reset_token
    from kennisnet.events.services import calendar_token
    from kennisnet.forum.services import unfollow_token
    from kennisnet.initiatives.services import make_confirm_token as confirm_org_token

    stranger, member = world.users["stranger"], world.users["member"]
    with _request_context():
        feed_url = url_for("forum.feed_mine", token="T")
        from kennisnet.forum.feeds import personal_feed_url
        feed_token = personal_feed_url(member).rsplit("/", 1)[1]
        assert feed_url.endswith("/T")
    world.fixed.update(
        confirm_token=make_confirm_token(stranger), reset_token=make_reset_token(stranger),
        unfollow_token=unfollow_token(member.id, world.copies["question"]["member"]),
        calendar_token=calendar_token(member).token, feed_token=feed_token,
        org_confirm_token=confirm_org_token(org_a))


def _request_context():
    from flask import current_app

    return current_app.test_request_context("/")


# --- Logging in ----------------------------------------------------------------------------

def log_in_as(client, login, world: World, role: str) -> None:
    """Forget the current session, then log in through the real form (any second factor the
    login fixture learns is used here too)."""
    client._cookies.clear()
    if role != "anonymous":
        login(world.users[role])


# --- URLs from the url_map -----------------------------------------------------------------

def encode(value) -> str:
    """Percent-encode anything, lone surrogates included (they arrive as %ED%A0%80)."""
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def build_path(rule, values: dict) -> str:
    return PLACEHOLDER.sub(lambda m: encode(values[m.group("name")]), rule.rule)


def query_string(pairs) -> str:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs)


def form_body(pairs) -> bytes:
    return query_string(pairs).encode("ascii")


def converters(rule) -> dict[str, str]:
    return {m.group("name"): (m.group("converter") or "default")
            for m in PLACEHOLDER.finditer(rule.rule)}


def routes(app):
    """(rule, method) for every rule and method in the map; HEAD and OPTIONS come for free."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def is_login_redirect(response) -> bool:
    """Flask-Login's "log in first" answer; a view sending someone to the login page after
    doing its work (say, confirming an address) carries no next= and does not count."""
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303) and "/inloggen?next=" in location


# --- Watching the log ----------------------------------------------------------------------

class ErrorLog(logging.Handler):
    """Collects every record at ERROR or above, from any logger, while attached."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)

    def __enter__(self):
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc):
        logging.getLogger().removeHandler(self)


# --- Database fingerprint ------------------------------------------------------------------

# Counters that a refused request may legitimately touch.
VOLATILE_TABLES = {"rate_limit_hit"}


def database_fingerprint() -> str:
    """A hash of every row of every table: equal before and after means nothing changed."""
    digest = hashlib.sha256()
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        if table.name in VOLATILE_TABLES:
            continue
        rows = db.session.execute(text(f'SELECT * FROM "{table.name}"')).all()  # noqa: S608
        for row in sorted(repr(tuple(row)) for row in rows):
            digest.update(row.encode())
    db.session.rollback()
    return digest.hexdigest()


def future(days: int = 10) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)


# --- Discovering forms, links and parameters -----------------------------------------------

@dataclass(frozen=True)
class FormField:
    name: str
    kind: str  # the input type, "select", "textarea" or "file"
    values: tuple = ()


@dataclass(frozen=True)
class FormSpec:
    fields: tuple
    multipart: bool = False


def parse_page(html: str):
    """(links, forms) of an HTML page: hrefs, and (method, action, FormSpec) per <form>."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, TypeError, SyntaxError):
        return [], []
    links = [href for href in tree.xpath("//a/@href") if href.startswith("/")]
    forms = []
    for form in tree.forms:
        method = (form.method or "GET").upper()
        fields = tuple(_form_field(element) for element in form.inputs
                       if element.get("name") and element.tag != "button")
        multipart = "multipart" in (form.get("enctype") or "")
        forms.append((method, form.get("action") or "", FormSpec(fields, multipart)))
    return links, forms


def _form_field(element) -> FormField:
    name = element.get("name")
    if element.tag == "select":
        return FormField(name, "select", tuple(v for v in element.value_options))
    if element.tag == "textarea":
        return FormField(name, "textarea", (element.text or "",))
    kind = (element.get("type") or "text").lower()
    value = element.get("value")
    return FormField(name, kind, (value,) if value is not None else ())


QUERY_ARG = re.compile(r"""(?:args\.get(?:list)?\(|_arg\()\s*["']([\w-]+)["']""")


def query_names_in_source(package_dir) -> set[str]:
    """Every query parameter a view reads by name, found in the source; a new parameter is
    fuzzed without a test edit."""
    names = {"page", "per_page", "pagina", "next", "q"}
    for path in package_dir.rglob("*.py"):
        names.update(QUERY_ARG.findall(path.read_text(encoding="utf-8")))
    return names


def form_field_names() -> set[str]:
    """Every field name of every WTForms form in the app (for routes whose form we did not see)."""
    from wtforms import Form

    names, todo = set(), [Form]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        names.update(name for name, _field in getattr(cls, "_unbound_fields", None) or ())
        names.update(name for name in vars(cls) if not name.startswith("_")
                     and hasattr(vars(cls)[name], "field_class"))
    return names - {"meta"}
