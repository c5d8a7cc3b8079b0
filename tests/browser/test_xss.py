"""Stored and reflected XSS (catalogue X01-X06): the payload corpus of tests/xss_payloads.py goes
into every field a user can fill, and every page that shows those fields is rendered in Chromium.

The page's CSP is switched off (`bypass_csp`), so only our escaping and sanitising stand between
a payload and the visitor. Many payloads share one page: short fields get one payload per object
and are read on list pages; long fields get many payloads packed together.
"""
# ruff: noqa: F811 - pytest fixtures imported from tests/factories_*.py

import html
import io
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from kennisnet.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.factories_events import make_event
from tests.factories_forum import form_fields, forum_app  # noqa: F401
from tests.xss_payloads import EVALUATED_MARKERS, corpus, pack

PAYLOADS = corpus()
SAFE_SCHEMES = {"", "http", "https", "mailto"}
MARKDOWN_SEP = "\n\n"
# Every title and name is read on the list pages (20 to a page); of the detail pages, which
# show the same fields escaped the same way plus the long texts (two pages hold all payloads),
# every third is rendered to keep one database pass near a minute.
DETAIL_STEP = 3

HOOKS = """
(() => {
  const report = (n) => { try { window.__xssReport(String(n)); } catch (e) {} };
  window.__xss = report;
  window.alert = window.confirm = window.prompt = window.print = report;
})();
"""

DOM_CHECK = """() => {
  const found = [];
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'data', 'poster', 'background',
                    'srcdoc', 'ping', 'cite', 'codebase', 'srcset'];
  const badScheme = /^(javascript|data|vbscript|livescript):/i;
  const banned = ['iframe', 'frame', 'frameset', 'object', 'embed', 'base', 'applet', 'template',
                  'xmp', 'listing', 'plaintext', 'isindex', 'keygen', 'marquee', 'math'];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) { found.push(`${tag}@${name}`); continue; }
      if (urlAttrs.includes(name) || name.endsWith(':href')) {
        const value = attr.value.replace(/[\\u0000-\\u0020\\u007f-\\u009f]/g, '');
        if (badScheme.test(value)) { found.push(`${tag}@${name}=${attr.value.slice(0, 60)}`); }
      }
    }
    if (banned.includes(tag)) { found.push(tag); }
    if (tag === 'script' && (!el.src || new URL(el.src).origin !== location.origin
                             || el.textContent.trim())) {
      found.push('script ' + (el.src || el.textContent.slice(0, 60)));
    }
    if (tag === 'meta' && el.httpEquiv) { found.push('meta http-equiv'); }
    if (tag === 'style') { found.push('style element'); }
  }
  const text = document.documentElement.textContent;
  for (const marker of MARKERS) {
    if (text.includes(marker)) { found.push('evaluated template ' + marker); }
  }
  return found;
}""".replace("MARKERS", repr(list(EVALUATED_MARKERS)))


@dataclass
class Site:
    """What the hostile content went into, and the pages that show it."""

    fields: dict[str, int] = field(default_factory=dict)  # field -> payloads stored in it
    pages: list[str] = field(default_factory=list)
    admin: object = None

    def stored(self, name: str, values) -> None:
        self.fields[name] = self.fields.get(name, 0) + sum(
            1 for p in PAYLOADS for v in values if p.text in v)


def chunks(limit: int, sep: str = " ", exclude: str = "") -> list[str]:
    usable = [p for p in PAYLOADS if not (set(exclude) & set(p.text))]
    return pack(usable, limit, sep)


def cycle(values: list[str], n: int) -> str:
    return values[n % len(values)]


def singles(limit: int) -> list[str]:
    return [p.text for p in PAYLOADS if len(p.text) <= limit]


# --- the HTTP forms: one real path per domain ---------------------------------------------

def _client_for(app, user):
    from tests.conftest import totp_code_for

    client = app.test_client()
    page = client.get("/inloggen")
    token = _csrf(page)
    response = client.post("/inloggen", data={"csrf_token": token, "email": user.email,
                                              "password": TEST_PASSWORD})
    assert response.status_code == 302
    if response.headers["Location"].endswith("/inloggen/code"):
        response = client.post("/inloggen/code", data={"csrf_token": token,
                                                       "code": totp_code_for(user)})
        assert response.status_code == 302
    return client


def _csrf(response) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                      response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:300]
    return match.group(1)


def _post(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    page = client.get(form_url or url)
    assert page.status_code == 200, (form_url or url, page.status_code)
    response = client.post(url, data={"csrf_token": _csrf(page), **form_fields(page), **data},
                           **kwargs)
    errors = re.findall(r'Fout: </span>(.*?)</', response.get_data(as_text=True), re.S)
    assert response.status_code in (302, 303), (url, response.status_code, errors)
    return response


# --- seeding, per domain ---------------------------------------------------------------

def seed_users(site: Site, make_user) -> list:
    names = singles(80)
    bios = chunks(1000)
    users = [make_user(display_name=name, email=f"xss{n}@example.nl")
             for n, name in enumerate(names)]
    for n, user in enumerate(users):
        user.bio = cycle(bios, n)
    db.session.commit()
    site.stored("user display name", names)
    site.stored("user bio", bios)
    site.pages += ["/beheer/gebruikers"]
    return users


def seed_forum(site: Site, app, users, organisations, admin_client) -> None:
    from kennisnet.forum import moderation, services
    from kennisnet.forum.models import Answer, ForumTag, Question

    tag_names = singles(80)
    tags = [ForumTag(name=name, slug=f"xss-{n}") for n, name in enumerate(tag_names)]
    db.session.add_all(tags)
    titles, bodies = chunks(200), chunks(5000, MARKDOWN_SEP)
    questions = []
    for n, title in enumerate(titles):
        question = Question(title=title, author_id=users[n].id,
                            organisation=organisations[n % len(organisations)])
        question.set_body(cycle(bodies, n))
        question.tags = [tags[(n * 5 + k) % len(tags)] for k in range(5)]
        db.session.add(question)
        questions.append(question)
    db.session.flush()
    answers = []
    for n, question in enumerate(questions):
        answer = Answer(question_id=question.id, author_id=users[-1 - n].id)
        answer.set_body(cycle(bodies, n + 1))
        db.session.add(answer)
        answers.append(answer)
    db.session.flush()
    moderator = site.admin
    reasons = chunks(2000)
    for n, reason in enumerate(reasons):
        services.report_post(users[n], answers[n], reason)
    for n in range(3):
        services.edit_post(users[n], questions[n], cycle(bodies, n + 2), title=titles[-1 - n])
    notes = chunks(500)
    for n, note in enumerate(notes[:10]):
        moderation.set_state(moderator, answers[-1 - n], "hide", note=note)
    db.session.commit()
    site.stored("forum question title", titles)
    site.stored("forum question body", bodies)
    site.stored("forum answer body", bodies)
    site.stored("forum tag name", tag_names)
    site.stored("forum report reason", reasons)

    # The real forms: a question, an answer, a report and a topic.
    title = next(t for t in singles(200) if len(t) >= 10)
    asked = _post(admin_client, "/forum/vragen/nieuw",
                  {"title": title, "body": bodies[0], "website": ""})
    question_url = asked.headers["Location"].split("#")[0]
    question_id = int(re.search(r"/forum/vraag/(\d+)", question_url).group(1))
    _post(admin_client, f"/forum/vraag/{question_id}/antwoord", {"body": bodies[-1]},
          form_url=f"/forum/vraag/{question_id}")
    _post(admin_client, f"/forum/vraag/{questions[5].id}/melden", {"reason": reasons[-1]})
    _post(admin_client, "/forum/moderatie/onderwerpen", {"name": tag_names[-1] + " form"})

    site.pages += ["/forum", "/forum?pagina=2", "/forum?pagina=3", "/forum/onbeantwoord",
                   "/forum/provincie/utrecht", "/forum/mijn-vragen", "/forum/moderatie",
                   "/forum/moderatie/onderwerpen", f"/forum/vraag/{question_id}",
                   f"/forum/vraag/{questions[0].id}/geschiedenis",
                   f"/forum/vraag/{questions[1].id}/bewerken",
                   f"/forum/antwoord/{answers[0].id}/bewerken",
                   f"/forum/vraag/{questions[2].id}/melden",
                   f"/forum/moderatie/antwoord/{answers[1].id}/verplaatsen",
                   f"/forum/moderatie/vraag/{questions[3].id}/samenvoegen",
                   "/forum/atom"]
    site.pages += [f"/forum/vraag/{q.id}" for q in questions[::DETAIL_STEP]]
    site.pages += [f"/forum/onderwerp/xss-{n}" for n in range(0, len(tags), 12)]


def seed_organisations(site: Site, app, admin_client) -> list:
    from kennisnet.initiatives.models import Initiative, Network

    names, descriptions = chunks(200), chunks(5000, MARKDOWN_SEP)
    places = chunks(120)
    initiatives = []
    for n, name in enumerate(names):
        initiative = Initiative(
            slug=f"xss-initiatief-{n}", name=name, kind="zorgcooperatie",
            legal_form="cooperatie", status="actief", place=cycle(places, n),
            municipality=cycle(places, n + 1), province="utrecht",
            latitude=52.0 + n / 100, longitude=5.0 + n / 100,
            description=cycle(descriptions, n), website="https://example.org/",
            contact_email="info@example.org", is_approved=n % 10 != 0,
            confirmed_at=datetime(2020, 1, 1, tzinfo=UTC) if n % 7 == 0 else None)
        initiatives.append(initiative)
    db.session.add_all(initiatives)
    networks = []
    for n, name in enumerate(names[:12]):
        network = Network(slug=f"xss-netwerk-{n}", name=name, level="regionaal",
                          description=cycle(descriptions, n))
        network.set_provinces(["utrecht"])
        networks.append(network)
    db.session.add_all(networks)
    db.session.flush()
    from kennisnet.initiatives.models import NetworkMember
    for n, network in enumerate(networks):
        network.member_links = [NetworkMember(initiative=i)
                                for i in initiatives[n * 4:n * 4 + 4] if i.is_approved]
    messages = chunks(1000)
    db.session.commit()
    site.stored("initiative name", names)
    site.stored("initiative description", descriptions)
    site.stored("initiative place", places)
    site.stored("initiative municipality", places)
    site.stored("network name", names[:12])
    site.stored("network description", descriptions)

    # The real form: register an initiative (it then waits for review).
    _post(admin_client, "/initiatieven/aanmelden", {
        "name": names[1], "description": descriptions[0], "kind": "zorgcooperatie",
        "legal_form": "cooperatie", "status": "actief", "place": places[0],
        "municipality": places[1], "province": "utrecht", "website": "https://example.org",
        "contact_email": "info@example.org"})
    site.join_messages = messages
    site.pages += ["/", "/initiatieven", "/initiatieven?pagina=2", "/initiatieven?pagina=3",
                   "/initiatieven/beoordelen", "/initiatieven/verouderd", "/initiatieven/cijfers",
                   "/netwerken"]
    site.pages += [f"/initiatieven/{i.slug}" for i in initiatives[1::DETAIL_STEP]
                   if i.is_approved]
    site.pages += [f"/netwerken/{n.slug}" for n in networks[::DETAIL_STEP]]
    site.pages += [f"/initiatieven/{initiatives[1].slug}/bewerken"]
    return [i for i in initiatives if i.is_approved]


def seed_members(site: Site, initiatives, users) -> None:
    from kennisnet.initiatives.models import JoinRequest, Membership

    for n, initiative in enumerate(initiatives[:10]):
        db.session.add(Membership(user_id=site.admin.id, organisation_id=initiative.id,
                                  role="beheerder"))
        for k in range(20):
            db.session.add(Membership(user_id=users[n * 20 + k].id,
                                      organisation_id=initiative.id, role="lid"))
        db.session.add(JoinRequest(user_id=users[-1 - n].id, organisation_id=initiative.id,
                                   message=cycle(site.join_messages, n)))
    db.session.commit()
    site.stored("join request message", site.join_messages)
    site.pages += [f"/initiatieven/{i.slug}/leden" for i in initiatives[:10]]


def seed_documents(site: Site, app, organisations, users, admin_client) -> None:
    from kennisnet.documents import storage
    from kennisnet.documents.models import Document, DocumentReport, DocumentVersion

    titles, descriptions = chunks(200), chunks(5000, MARKDOWN_SEP)
    tag_values = [p.text.lower() for p in PAYLOADS if len(p.text) <= 40 and "," not in p.text]
    filenames = chunks(255)
    texts = chunks(4000, "\n")
    # One real file on disk, shared by every version (the rows are what the pages show).
    content = b"Statuten\n"
    received = storage.receive(io.BytesIO(content), 1 << 20)
    storage.store(received)
    now = datetime.now(UTC)
    documents = []
    for n, title in enumerate(titles):
        document = Document(owner_id=site.admin.id, title=title,
                            description=cycle(descriptions, n), doc_type="statuten",
                            legal_form="vereniging", licence="cc-by-4.0", visibility="openbaar",
                            organisation_id=organisations[n % len(organisations)].id,
                            published_at=now, year=2020)
        document.set_tags(tag_values[(n * 10) % len(tag_values):(n * 10) % len(tag_values) + 10])
        text = "STATUTEN\n\n" + "\n".join(
            f"Artikel {k + 1}. {line[:80]}\n{line}" for k, line in
            enumerate(cycle(texts, n).split("\n")[:12]))
        document.versions.append(DocumentVersion(
            number=1, sha256=received.sha256, size=len(content), mime="text/plain",
            extension="txt", original_filename=cycle(filenames, n)[:255],
            uploaded_by_id=site.admin.id, published_at=now, extraction_status="klaar",
            extracted_text=text))
        documents.append(document)
    db.session.add_all(documents)
    db.session.flush()
    reasons = chunks(2000)
    for n, reason in enumerate(reasons):
        db.session.add(DocumentReport(document_id=documents[n].id, user_id=site.admin.id,
                                      reason=reason))
    db.session.commit()
    site.stored("document title", titles)
    site.stored("document description", descriptions)
    site.stored("document tag", tag_values)
    site.stored("document filename", filenames)
    site.stored("document text (preview, comparison)", texts)
    site.stored("document report reason", reasons)

    # The real form: upload a small text file with a hostile name.
    hostile_name = "'><img src=x onerror=__xss(9001)>.txt"
    response = _post(admin_client, "/documenten/nieuw", {
        "title": titles[0], "description": descriptions[0], "doc_type": "statuten",
        "organisation_id": "", "legal_form": "", "year": "", "licence": "cc-by-4.0",
        "tags": ", ".join(tag_values[:5]), "visibility": "openbaar",
        "file": (io.BytesIO(b"Artikel 1. <script>__xss(9002)</script>\n"),
                 hostile_name)}, content_type="multipart/form-data")
    uploaded = response.headers["Location"]
    published = f"/documenten/{documents[1].id}"
    _post(_client_for(app, users[0]), published + "/melden", {"reason": reasons[0]},
          form_url=published)
    site.pages += ["/documenten", "/documenten?pagina=2", "/documenten?pagina=3",
                   "/documenten/voorbeeldstatuten", uploaded, uploaded + "/bewerken",
                   uploaded + "/verwijderen", uploaded + "/nieuwe-versie"]
    site.pages += [f"/documenten/{d.id}" for d in documents[::DETAIL_STEP]]
    site.pages += [f"/documenten/vergelijk?links={a.id}&rechts={b.id}"
                   for a, b in zip(documents[::5], documents[1::5], strict=False)]
    site.pages += [f"/documenten/{documents[1].id}/bewerken"]
    site.pages += [f"/documenten?trefwoord={t}" for t in tag_values[:3]]


# The form only takes http(s); rows from elsewhere (imports, old data) must still render inert.
ONLINE_URLS = ["javascript:__xss(9100)", "https://example.org/meet", " JaVaScRiPt:alert(9101)"]


def seed_events(site: Site, app, organisations, users, admin_client) -> None:
    from kennisnet.events.models import EventException, Registration

    titles, long_texts, short = chunks(200), chunks(5000, MARKDOWN_SEP), chunks(300)
    places, mediums = chunks(120), chunks(200)
    start = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=2)
    events = []
    for n, title in enumerate(titles):
        event = make_event(
            organisations[n % len(organisations)], starts_at=start + timedelta(hours=n * 7),
            title=title, description=cycle(long_texts, n), venue_name=cycle(mediums, n),
            address=cycle(mediums, n + 1), place=cycle(places, n), contact=cycle(short, n),
            practical_info=cycle(long_texts, n + 1), parking=cycle(short, n + 1),
            public_transport=cycle(short, n + 2), capacity=2,
            is_online=n % 4 == 0, online_url=cycle(ONLINE_URLS, n // 4) if n % 4 == 0 else "")
        events.append(event)
    notes = chunks(300)
    for n, note in enumerate(notes[:6]):
        db.session.add(EventException(event_id=events[n].id, original_start_at=events[n].starts_at,
                                      is_cancelled=True, note=note))
    needs = chunks(1000)
    names = singles(120)
    for n, name in enumerate(names):
        db.session.add(Registration(event_id=events[n % 4].id, name=name,
                                    email=f"deelnemer{n}@example.nl",
                                    needs=cycle(needs, n),
                                    status="confirmed" if n % 3 else "waiting",
                                    registered_by_id=site.admin.id))
    db.session.commit()
    for name, values in [("event title", titles), ("event description", long_texts),
                         ("event location name", mediums), ("event address", mediums),
                         ("event place", places), ("event contact", short),
                         ("event practical info", long_texts), ("event parking", short),
                         ("event public transport", short), ("occurrence note", notes[:6]),
                         ("registration name", names), ("registration needs", needs)]:
        site.stored(name, values)

    # The real form: an event with hostile text in every text field.
    day = (start + timedelta(days=40)).astimezone(UTC)
    response = _post(admin_client, "/agenda/nieuw", {
        "organisation_id": str(organisations[0].id), "title": titles[0], "kind": "spreekuur",
        "description": long_texts[0], "start_date": day.strftime("%Y-%m-%d"),
        "start_time": "19:30", "end_time": "21:00", "venue_name": mediums[0],
        "address": mediums[1], "place": places[0], "province": "utrecht",
        "is_registration_required": "y", "contact": short[0],
        "practical_info": long_texts[1], "parking": short[1], "public_transport": short[2]})
    created = response.headers["Location"]
    month = start.astimezone(UTC)
    site.pages += ["/agenda", "/agenda?pagina=2", "/agenda/archief", "/agenda/mijn", created,
                   created + "/bewerken", f"/agenda/maand/{month.year}/{month.month}"]
    site.pages += [f"/agenda/{e.id}" for e in events[::DETAIL_STEP]]
    site.pages += [f"/agenda/{e.id}/deelnemers" for e in events[:4]]


def seed_tips(site: Site, admin_client) -> None:
    from kennisnet.tips.models import GuidePage, Tip

    titles, bodies, shorts = chunks(200), chunks(5000, MARKDOWN_SEP), chunks(120)
    quotes = chunks(1000)
    for n, title in enumerate(titles[:12]):
        db.session.add(Tip(slug=f"xss-tip-{n}", number=100 + n, phase="start", title=title,
                           explanation=cycle(bodies, n), quote=cycle(quotes, n),
                           quote_by=cycle(shorts, n)))
        db.session.add(GuidePage(slug=f"xss-gids-{n}", title=title, body=cycle(bodies, n + 1),
                                 summary=cycle(quotes, n + 1)[:500], position=100 + n))
    db.session.commit()
    site.stored("tip title", titles[:12])
    site.stored("tip explanation", bodies)
    site.stored("tip quote", quotes)
    site.stored("guide page body", bodies)

    # The real form: an administrator edits a tip.
    _post(admin_client, "/tips/xss-tip-0/bewerken", {
        "title": titles[-1], "explanation": bodies[-1], "quote": quotes[-1],
        "quote_by": shorts[-1]})
    site.pages += ["/tips", "/gids", "/tips/xss-tip-0/bewerken", "/gids/xss-gids-0/bewerken"]
    site.pages += [f"/tips/xss-tip-{n}" for n in range(0, 12, DETAIL_STEP)]
    site.pages += [f"/gids/xss-gids-{n}" for n in range(0, 12, DETAIL_STEP)]


def seed_reflected(site: Site) -> None:
    """Query strings shown back on the page: search, directory filter, similar questions."""
    from urllib.parse import quote

    queries = chunks(250)
    # Search itself is slow for 40-word queries (catalogue Q03), so only a few go through it.
    site.pages += [f"/zoeken?q={quote(q)}" for q in queries[::10]]
    site.pages += [f"/initiatieven?q={quote(q)}" for q in chunks(100)[::4]]
    site.pages += [f"/forum/vergelijkbaar?titel={quote(q)}" for q in queries[::6]]
    site.pages += [f"/documenten?q={quote(q)}" for q in queries[::6]]
    site.pages += ["/zoeken?q=img", "/zoeken?q=script", "/zoeken?q=klik",
                   "/zoeken?q=onerror&pagina=2", "/zoeken?q=svg+onload"]
    site.stored("search query (reflected)", queries)


@pytest.fixture
def hostile_site(forum_app, make_user) -> Site:
    from kennisnet.search import drain_outbox

    app = forum_app
    site = Site()
    site.admin = make_user(display_name='Beheer"><svg onload=__xss(9000)>', site_role="admin")
    admin_client = _client_for(app, site.admin)
    users = seed_users(site, make_user)
    _post(admin_client, "/profiel", {"display_name": singles(80)[0], "bio": chunks(1000)[0],
                                     "field_role": "", "province": ""})
    organisations = seed_organisations(site, app, admin_client)
    seed_forum(site, app, users, organisations, admin_client)
    seed_members(site, organisations, users)
    seed_documents(site, app, organisations, users, admin_client)
    seed_events(site, app, organisations, users, admin_client)
    seed_tips(site, admin_client)
    seed_reflected(site)
    site.pages += ["/profiel", "/forum/vraag/99999999", "/<script>__xss(9003)</script>"]
    drain_outbox()
    return site


def _log_in(context, base: str, user) -> None:
    from tests.conftest import totp_code_for

    page = context.new_page()
    page.goto(base + "/inloggen")
    page.fill("#email", user.email)
    page.fill("#password", TEST_PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_load_state("load")
    if page.url.endswith("/inloggen/code"):
        page.fill("input[name=code]", totp_code_for(user))
        page.press("input[name=code]", "Enter")
        page.wait_for_load_state("load")
    assert "/inloggen" not in page.url, page.url
    page.close()


def exercise_scripts(page, base: str) -> dict[str, list[str]]:
    """Our own JavaScript puts server data into the page: search suggestions, similar questions,
    and the upload form that swaps in the server's refusal page. Run each on hostile data."""
    found = {}
    page.goto(base + "/")
    page.fill("#zoekvak", "img")
    page.locator("#zoekvak-suggesties [role=option]").first.wait_for()
    found["search suggestions"] = page.evaluate(DOM_CHECK)

    page.goto(base + "/forum/vragen/nieuw")
    page.fill("[data-similar-url] input", "img onerror")
    page.locator("#vergelijkbare-vragen li").first.wait_for()
    found["similar questions"] = page.evaluate(DOM_CHECK)
    page.fill("#body", "")
    page.locator("main form button[type=submit]").last.click()
    page.locator(".error-summary").wait_for()
    found["question form shown back with errors"] = page.evaluate(DOM_CHECK)

    page.goto(base + "/documenten/nieuw")
    page.fill("#title", chunks(200)[2])
    page.fill("#description", chunks(5000)[0])
    page.set_input_files("#file", files=[{
        "name": "'><svg onload=__xss(9200)>.html", "mimeType": "text/html",
        "buffer": b"<html><script>__xss(9201)</script></html>"}])
    page.locator("main form.upload-form button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    found["refused upload swapped in by script"] = page.evaluate(DOM_CHECK)
    return {flow: items for flow, items in found.items() if items}


def render_under_csp(browser: Browser, base: str, site: Site) -> int:
    """With the real policy on, hostile content trips no CSP rule (an inline style or handler
    that survived sanitising would); the autouse watcher in conftest fails the test if it does."""
    context = browser.new_context(locale="nl-NL")
    _log_in(context, base, site.admin)
    page = context.new_page()
    lists = [p for p in dict.fromkeys(site.pages) if not re.search(r"/\d+|xss-|q=", p)]
    for path in lists:
        page.goto(base + path, wait_until="load")
    page.evaluate("0")
    context.close()
    return len(lists)


def test_corpus_is_systematic_and_large():
    texts = [p.text for p in PAYLOADS]
    assert len(texts) == len(set(texts)) >= 200
    assert len({p.family for p in PAYLOADS}) >= 10


def test_the_detectors_see_an_unescaped_payload(browser: Browser, live_server):
    """The checks below can fail: raw payloads on one of our pages are caught by each of them."""
    context = browser.new_context(bypass_csp=True)
    executed = []
    context.expose_binding("__xssReport", lambda source, n: executed.append(n))
    context.add_init_script(HOOKS)
    page = context.new_page()
    page.goto(live_server + "/")
    raw = "".join(p.text for p in PAYLOADS if p.family in ("tag-event", "url-scheme"))
    page.evaluate("html => { document.querySelector('main').innerHTML = html; }",
                  raw + "<p>x{{7*7}}x x49x</p>")
    page.wait_for_timeout(500)
    found = page.evaluate(DOM_CHECK)
    page.evaluate("0")
    context.close()
    assert len(executed) >= 5
    assert any(f.startswith("img@onerror") for f in found)
    assert any("@href=javascript:" in f for f in found)
    assert "evaluated template x49x" in found


@pytest.mark.timeout(360)  # about a minute per database; the margin is for a busy machine
def test_no_payload_executes_anywhere(browser: Browser, live_server, hostile_site, report_figure):
    site = hostile_site
    context = browser.new_context(bypass_csp=True, locale="nl-NL")
    executed: list[str] = []
    context.expose_binding("__xssReport", lambda source, n: executed.append(
        f"{source['frame'].url}: {n}"))
    context.add_init_script(HOOKS)
    _log_in(context, live_server, site.admin)
    page = context.new_page()
    page.on("dialog", lambda dialog: (executed.append(f"dialog {dialog.message}"),
                                      dialog.dismiss()))
    injected, statuses = {}, {}
    began = time.perf_counter()
    for path in dict.fromkeys(site.pages):
        response = page.goto(live_server + path, wait_until="load")
        statuses[path] = response.status if response else None
        if page.locator("#kaart").count():
            page.wait_for_timeout(300)  # the map's markers come from the GeoJSON
        found = page.evaluate(DOM_CHECK)
        if found:
            injected[path] = found
    injected.update(exercise_scripts(page, live_server))
    seconds = time.perf_counter() - began
    page.evaluate("0")
    context.close()
    under_csp = render_under_csp(browser, live_server, site)

    server_errors = {p: s for p, s in statuses.items() if s is None or s >= 500}
    assert server_errors == {}
    assert executed == []
    assert injected == {}
    assert all(count >= 1 for count in site.fields.values()), site.fields
    report_figure("xss payloads", len(PAYLOADS))
    report_figure("xss fields filled", len(site.fields))
    report_figure("xss payload-field pairs stored", sum(site.fields.values()))
    report_figure("xss pages rendered", len(statuses) + 4)  # + the four script flows
    report_figure("xss seconds rendering and checking", round(seconds, 1))
    report_figure("xss pages rendered again under the real CSP", under_csp)
    report_figure("xss executions", len(executed))
    report_figure("xss injected DOM findings", sum(len(v) for v in injected.values()))


# --- X02-X05 without a browser: the renderer, the templates and the URL fields --------------

class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def _text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def _elements(html: str):
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("renderer", ["render_markdown", "render_post"])
def test_markdown_keeps_only_allowed_tags_attributes_and_schemes(renderer):
    """X02/X03: raw HTML is escaped and links keep only http(s), mailto and relative targets."""
    from kennisnet.forum import rendering
    from kennisnet.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

    render = getattr(rendering, renderer)
    problems = []
    for payload in PAYLOADS:
        for tag, attrs in _elements(str(render(payload.text))):
            if tag not in ALLOWED_TAGS:
                problems.append((payload.id, tag))
            for name, value in attrs:
                if name not in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}:
                    problems.append((payload.id, f"{tag}@{name}"))
                if name == "href" and urlsplit(value or "").scheme not in SAFE_SCHEMES:
                    problems.append((payload.id, value))
    assert problems == []


def test_markdown_links_that_stay_are_safe_and_marked_as_user_content():
    from kennisnet.forum.rendering import render_post

    html = str(render_post("[a](https://example.org) [b](/tips) [c](mailto:a@example.org) "
                           "[d](javascript:alert(1)) [e](JaVaScRiPt:alert(1)) <javascript:x>"))
    hrefs = [dict(attrs).get("href") for tag, attrs in _elements(html) if tag == "a"]
    assert hrefs == ["https://example.org", "/tips", "mailto:a@example.org"]
    assert html.count('rel="nofollow ugc noopener"') == 3


def test_sanitising_leaves_benign_markdown_unchanged():
    """X03 property: on real content the allowlist removes nothing markdown-it produced."""
    import nh3

    from kennisnet.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, _parser

    guide = Path(__file__).parents[2] / "kennisnet" / "content" / "guide"
    texts = [path.read_text(encoding="utf-8") for path in sorted(guide.glob("*.md"))]
    # Aligned table columns are left out: markdown-it writes style="text-align:…", which the
    # allowlist (and the CSP) drop, so alignment is lost - harmless, reported to the lead.
    texts += ["| a | b |\n|---|---|\n| 1 | 2 |", "> citaat\n\n1. een\n2. twee\n\n---\n`code`",
              "[link](https://example.org \"titel\") en **vet** en *schuin*\n\n```\nblok\n```"]
    assert len(texts) >= 10
    for text in texts:
        rendered = _parser.render(text).replace("<h1>", "<h2>").replace("</h1>", "</h2>")
        cleaned = nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                            url_schemes={"http", "https", "mailto"}, link_rel=None)
        # nh3 writes `<hr>` for `<hr />` and `&quot;` for `"`: compare elements and text.
        assert _elements(cleaned) == _elements(rendered)
        assert _text(cleaned) == _text(rendered)


TEMPLATE_RULES = {
    "|safe filter": re.compile(r"\|\s*safe\b"),
    "autoescape off": re.compile(r"autoescape\s+false", re.I),
    "Markup in a template": re.compile(r"\bMarkup\("),
    "unquoted attribute value": re.compile(r"""\s[\w:-]+=\{[{%]"""),
}


def test_templates_escape_everything():
    """X04: autoescaping stays on everywhere and no template marks data as safe."""
    root = Path(__file__).parents[2] / "templates"
    files = sorted(root.rglob("*"))
    found = []
    for path in files:
        if path.is_dir():
            continue
        if path.suffix not in (".html", ".xml"):  # Flask autoescapes these two only
            found.append((str(path), "not autoescaped"))
            continue
        text = path.read_text(encoding="utf-8")
        found += [(str(path.relative_to(root)), rule) for rule, pattern in TEMPLATE_RULES.items()
                  if pattern.search(text)]
    assert len(files) > 50
    assert found == []


@pytest.mark.parametrize("website", ["javascript:alert(1)", "JaVaScRiPt://example.org/%0a1",
                                     "data:text/html,<script>alert(1)</script>",
                                     "vbscript:msgbox(1)", "https://example.org/" + "a" * 5000])
def test_initiative_website_takes_only_http_urls(client, make_user, login, csrf_token, website):
    """X05: the form refuses other schemes and over-long addresses, with a Dutch message."""
    from kennisnet.initiatives.models import Initiative

    login(make_user())
    page = client.get("/initiatieven/aanmelden")
    response = client.post("/initiatieven/aanmelden", data={
        "csrf_token": csrf_token(page), "name": "Zorg Dichtbij", "description": "Wij helpen.",
        "kind": "zorgcooperatie", "legal_form": "cooperatie", "status": "actief",
        "place": "Hoogeloon", "province": "noord-brabant", "website": website})
    error = re.search(r'id="website-error">.*?</span>(.*?)</p>', response.get_data(as_text=True),
                      re.S)
    assert response.status_code in (200, 400, 422)
    assert error and re.search(r"webadres|langer", error.group(1)), error and error.group(1)
    assert db.session.query(Initiative).count() == 0


def test_user_urls_are_marked_as_user_content(client, make_initiative, make_user, login):
    """X05: a website an initiative gave is linked nofollow ugc noopener."""
    initiative = make_initiative(website="https://example.org/zorg")
    login(make_user())
    html = client.get(f"/initiatieven/{initiative.slug}").get_data(as_text=True)
    links = [dict(attrs) for tag, attrs in _elements(html)
             if tag == "a" and dict(attrs).get("href") == "https://example.org/zorg"]
    assert links and set(links[0]["rel"].split()) >= {"nofollow", "ugc", "noopener"}
