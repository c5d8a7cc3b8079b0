"""Fuzzed crawl (catalogue X08-X11, X13, X14, Q01, Q02; headline figure 2).

For each of the five roles: log in through the login fixture, crawl the site to learn its links
and forms, then send Hypothesis-generated input to every rule and method in app.url_map: real
objects and hostile values in the URL, hostile query parameters, and every field of the route's
forms (with a valid CSRF token most of the time, so input reaches validation). Nothing here
names a route: a new one is covered without editing this file.

Passes when no response is a 5xx and nothing is logged at ERROR. Reproducible: Hypothesis runs
derandomized.
"""

import io
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

import kennisnet
from kennisnet.extensions import db
from tests.authorisation_table import TABLE
from tests.crawl_support import (
    ROLES,
    ErrorLog,
    FormField,
    FormSpec,
    build_path,
    build_world,
    converters,
    form_body,
    form_field_names,
    is_login_redirect,
    log_in_as,
    parse_page,
    query_names_in_source,
    query_string,
    routes,
)

REQUESTS_PER_ROLE = 2_000  # five roles: at least 10,000 requests in all
GET_EXAMPLES = 8
POST_EXAMPLES = 8
FOCUS_EXAMPLES = 1  # then one more per query parameter and per form field, each in turn
PAGES_PER_RULE = 3
DISCOVERY_LIMIT = 400
LAST = ("accounts.logout",)  # still fuzzed, but after everything else of the role

HOSTILE = [
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\u202egnp.exe", "zero\u200bwidth\u200d",
    "\ufeffbom", "Ａｄｍｉｎ", "e\u0301", "😀" * 40, "' OR 1=1--", "\"; DROP TABLE \"user\";--",
    "1 UNION SELECT password_hash FROM \"user\"", "%", "_", "%_%", "%s%s%s%n", "{0}",
    "{0.__class__.__mro__}", "{{7*7}}", "{% debug %}", "${7*7}", "../../../../etc/passwd",
    "..\\..\\boot.ini", "/etc/passwd", "file:///etc/passwd", "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "//evil.example/",
    "/\\evil.example", "\r\nINFO admin logged in", "a\r\nBcc: slachtoffer@example.nl",
    "-1", "0", "1e3", "1.5", "NaN", "inf", "-inf", "0x10", "99999999999999999999",
    "2147483648", "9223372036854775808", "-9223372036854775809", "2026-02-31", "0000-01-01",
    "99999-12-31", "2026-03-29", "02:30", "25:61", "2026-13-01", "31-02-2026", "2026-03",
    "created:[a TO b]", "n:[x TO]", "((((", "\"unbalanced", "OR OR NOT", "*", "a*", "zorg~9",
    ":", "?", "true", "on", "null", "[]", "{}", "a" * 10_000, "ë" * 70_000, "[" * 5_000,
    "*" * 10_000, ">" * 3_000, "x" * 600_000,
]
BIG_NUMBERS = ["99999999999999999999", "9223372036854775807", "9223372036854775808",
               "2147483648", "-1", "0", "\u00b2", "\u0663", "1e3", "007", "-0"]
# Hostile values short enough for a URL path or query string.
HOSTILE_SHORT = [value for value in HOSTILE if len(value) <= 10_000]
BENIGN = {
    "email": "fuzz@example.nl", "date": "2026-12-01", "time": "10:00", "number": "5",
    "url": "https://example.nl/pagina", "password": "een ander lang wachtwoord",
    "search": "statuten", "checkbox": "y", "radio": "", "hidden": "",
}
BENIGN_TEXT = ["Hoe regelen we vervoer voor ouderen in het dorp?", "Zorgcoöperatie Hoogeloon",
               "2024", "10:00", "2026-12-01", "utrecht", "info@example.nl",
               "https://example.nl"]
MASS_ASSIGNMENT = {"site_role": "admin", "user_id": "1", "author_id": "1", "owner_id": "1",
                   "initiative_id": "1", "status": "published", "is_hidden": "1", "id": "1",
                   "created_at": "2001-01-01", "is_approved": "1"}
FILES = [(b"", "leeg.txt"), (b"Gewone tekst.\n", "notitie.txt"),
         (b"%PDF-1.4\n<html><script>alert(1)</script>", "../../etc/passwd.pdf"),
         (b"\x00\xff" * 64, "con.pdf"), (b"<svg onload=alert(1)>", "\u202efdp.svg"),
         (b"PK\x03\x04kapot", "a\x00.docx")]
CHARACTERS = st.characters(categories=["Lu", "Ll", "Lo", "Nd", "Zs", "Po", "Sm", "So", "Mn",
                                       "Cc", "Cf", "Cs"])
SETTINGS = dict(deadline=None, derandomize=True, database=None, phases=[Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much,
                                       HealthCheck.large_base_example])


def text_values(real=(), short=False):
    hostile = HOSTILE_SHORT if short else HOSTILE
    options = [st.sampled_from(hostile), st.sampled_from(BIG_NUMBERS),
               st.text(CHARACTERS, max_size=30),
               st.integers(-(2**70), 2**70).map(str), st.sampled_from(BENIGN_TEXT)]
    if real:
        options.insert(0, st.sampled_from(sorted(real, key=str)))
    return st.one_of(options)


class Crawl:
    def __init__(self, app, client, login, world, role):
        self.app, self.client, self.login, self.world, self.role = app, client, login, world, role
        self.adapter = app.url_map.bind("localhost")
        self.arg_values = defaultdict(set)     # (rule, argument) -> real values seen in links
        self.query_values = defaultdict(set)   # (rule, parameter) -> real values
        self.forms = defaultdict(dict)         # (rule, method) -> {field names: FormSpec}
        self.source_query_names = sorted(query_names_in_source(Path(kennisnet.__file__).parent))
        self.fallback = FormSpec(tuple(FormField(name, "text")
                                       for name in sorted(form_field_names())))
        self.pages_per_rule = defaultdict(int)
        self.csrf = ""
        # Cleared for the LAST routes: after a logout there is nothing left to do as the role,
        # and logging in again and again would meet the login and code limits.
        self.stay_logged_in = True
        self.requests = 0
        self.accepted_posts = 0  # posts that got past validation: proof the input goes deep
        self.covered = set()
        self.failures = []

    # -- sending ------------------------------------------------------------------------
    def send(self, method, path, query=(), body=(), files=None):
        url = path + ("?" + query_string(query) if query else "")
        try:
            if method == "GET":
                response = self.client.get(url)
            elif files is not None:
                response = self.client.post(url, data=files, content_type="multipart/form-data")
            else:
                response = self.client.post(url, data=form_body(body),
                                            content_type="application/x-www-form-urlencoded")
        except Exception as error:  # noqa: BLE001 - an exception escaping the app is a finding
            self.failures.append(f"{method} {url[:300]} raised {error!r}")
            db.session.remove()
            return None
        self.requests += 1
        if method == "POST" and response.status_code in (200, 302, 303):
            self.accepted_posts += 1
        if response.status_code >= 500:
            self.failures.append(f"{method} {url[:300]} body={str(body)[:300]} -> "
                                 f"{response.status_code}")
        db.session.remove()  # like production: nothing carries over from one request to the next
        if self.stay_logged_in and self.role != "anonymous" and is_login_redirect(response):
            self.log_in()
        return response

    def log_in(self):
        log_in_as(self.client, self.login, self.world, self.role)
        page = self.client.get("/wachtwoord-vergeten")
        self._learn(page.get_data(as_text=True), "/wachtwoord-vergeten")

    # -- discovery ----------------------------------------------------------------------
    def match(self, method, path):
        try:
            return self.adapter.match(path, method=method, return_rule=True)
        except (HTTPException, RequestRedirect):
            return None, None

    def start_urls(self):
        urls = []
        for rule, method in routes(self.app):
            if method != "GET":
                continue
            if not converters(rule):
                urls.append(rule.rule)
            elif rule.rule in TABLE:
                urls.append(self._table_url(rule))
        return urls

    def _table_url(self, rule):
        values = {}
        for name, value in TABLE[rule.rule].args.items():
            known = value in self.world.fixed or value in self.world.copies
            values[name] = self.world.value(value, self.role) if known else value
        return build_path(rule, values)

    def discover(self):
        queue, seen = self.start_urls(), set()
        while queue and len(seen) < DISCOVERY_LIMIT:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = self.send("GET", url)
            if response is None or "html" not in (response.content_type or ""):
                continue
            for link in self._learn(response.get_data(as_text=True), url):
                rule, _args = self.match("GET", urlsplit(link).path)
                if rule is not None and self.pages_per_rule[rule.rule] < PAGES_PER_RULE:
                    self.pages_per_rule[rule.rule] += 1
                    queue.append(link)

    def _learn(self, html, page_url):
        links, forms = parse_page(html)
        for link in links:
            parts = urlsplit(link)
            rule, args = self.match("GET", parts.path)
            if rule is None:
                continue
            for name, value in args.items():
                if name in converters(rule):
                    self.arg_values[(rule.rule, name)].add(value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True):
                self.query_values[(rule.rule, name)].add(value)
        for method, action, spec in forms:
            path = urlsplit(action or page_url).path
            rule, _args = self.match(method, path)
            if rule is None:
                continue
            for field in spec.fields:
                if field.name == "csrf_token" and field.values:
                    self.csrf = field.values[0]
                if method == "GET":
                    self.query_values[(rule.rule, field.name)].update(field.values or ("",))
            self.forms[(rule.rule, method)][tuple(f.name for f in spec.fields)] = spec
        return links

    # -- strategies ---------------------------------------------------------------------
    def path_strategy(self, rule):
        parts = {}
        pool = self.world.pool()
        for name, converter in converters(rule).items():
            real = set(self.arg_values[(rule.rule, name)])
            if converter == "int":
                real.update(v for values in pool.values() for v in values if isinstance(v, int))
                hostile = st.one_of(st.integers(0, 2**70), st.sampled_from(
                    ["-1", "1e3", "007", "99999999999999999999", "2147483648"]))
            else:
                real.update(v for values in pool.values() for v in values if isinstance(v, str))
                hostile = text_values(short=True)
            parts[name] = st.one_of(st.sampled_from(sorted(real, key=str)), hostile) \
                if real else hostile
        return st.fixed_dictionaries(parts).map(lambda values: build_path(rule, values))

    def own_query_names(self, rule):
        """The parameters this route's links and forms use; the source's others come too."""
        return sorted({name for (r, name) in self.query_values if r == rule.rule})

    def query_pair(self, rule, name):
        return st.tuples(st.just(name), text_values(self.query_values[(rule.rule, name)],
                                                    short=True))

    def query_strategy(self, rule, focus=None):
        own = self.own_query_names(rule)
        names = st.sampled_from(self.source_query_names)
        if own:
            names = st.one_of(st.sampled_from(own), names)
        pairs = st.lists(names.flatmap(lambda name: self.query_pair(rule, name)), max_size=4)
        if focus is None:
            return pairs
        return st.tuples(self.query_pair(rule, focus), pairs).map(lambda t: [t[0], *t[1]])

    def form_specs(self, rule):
        return list(self.forms[(rule.rule, "POST")].values()) or [self.fallback]

    def body_strategy(self, rule):
        return st.sampled_from(self.form_specs(rule)).flatmap(self._fill)

    def focused_body(self, spec, index):
        """Every field sensible and a valid token, except field `index`: it reaches
        validation, and past it, with one hostile value at a time."""
        fields = [f for f in spec.fields if f.name != "csrf_token"]
        return self._values(spec, fields, "one", index, self.csrf, [], False)

    def _fill(self, spec):
        fields = [f for f in spec.fields if f.name != "csrf_token"]
        csrf = st.sampled_from([self.csrf] * 6 + [None, "vervalst-token"])
        # "one": every field sensible except one hostile value, to get past validation;
        # "all": anything anywhere.
        mode = st.sampled_from(["one", "all"])
        return st.tuples(mode, st.integers(0, max(0, len(fields) - 1)), csrf,
                         st.lists(st.sampled_from(fields or [FormField("x", "text")]),
                                  unique=True, max_size=len(fields)),
                         st.booleans()).flatmap(
            lambda args: self._values(spec, fields, *args))

    def _values(self, spec, fields, mode, hostile_index, csrf, omitted, mass):
        drawn = []
        for index, field in enumerate(fields):
            if mode == "all" and field in omitted:
                continue
            if field.kind == "file":
                drawn.append(st.tuples(st.just(field.name), st.sampled_from(FILES)))
            elif mode == "all" or index == hostile_index:
                drawn.append(st.tuples(st.just(field.name), text_values(field.values)))
            else:
                drawn.append(st.just((field.name, self._sensible(field))))
        extra = [(name, value) for name, value in MASS_ASSIGNMENT.items()] if mass else []
        token = [("csrf_token", csrf)] if csrf is not None else []
        return st.tuples(*drawn).map(lambda pairs: (list(pairs) + extra + token, spec.multipart))

    @staticmethod
    def _sensible(field):
        real = [v for v in field.values if v]
        if field.kind == "select" and real:
            return real[0]
        if field.kind in ("hidden", "checkbox", "radio") and field.values:
            return field.values[0]
        if real:
            return real[0]
        return BENIGN.get(field.kind, BENIGN_TEXT[0])

    # -- fuzzing ------------------------------------------------------------------------
    def fuzz(self, rule, method):
        self.covered.add((rule.endpoint, rule.rule, method))
        path = self.path_strategy(rule)
        if method == "GET":
            self.run(st.tuples(path, self.query_strategy(rule), st.just(None)), GET_EXAMPLES)
            for name in self.own_query_names(rule):
                self.run(st.tuples(path, self.query_strategy(rule, name), st.just(None)),
                         FOCUS_EXAMPLES)
            return
        one_param = self.query_strategy(rule).map(lambda pairs: pairs[:1])
        self.run(st.tuples(path, one_param, self.body_strategy(rule)), POST_EXAMPLES)
        for spec in self.forms[(rule.rule, "POST")].values():
            for index, field in enumerate(f for f in spec.fields if f.name != "csrf_token"):
                if field.kind not in ("hidden", "submit"):
                    self.run(st.tuples(path, st.just([]), self.focused_body(spec, index)),
                             FOCUS_EXAMPLES)

    def run(self, request, examples):
        @settings(max_examples=examples, **SETTINGS)
        @given(request)
        def one_request(drawn):
            path, query, body = drawn
            if body is None:
                self.send("GET", path, query)
                return
            pairs, multipart = body
            if multipart:
                self.send("POST", path, query, files=_multipart(pairs))
            else:
                self.send("POST", path, query, body=pairs)

        one_request()


def _multipart(pairs):
    """Multipart bodies cannot carry lone surrogates; everything else goes as it is."""
    data = defaultdict(list)
    for name, value in pairs:
        if isinstance(value, tuple):
            content, filename = value
            data[name].append((io.BytesIO(content), filename.replace("\x00", "")))
        else:
            data[name].append(str(value).encode("utf-8", "replace").decode("utf-8"))
    return dict(data)


@pytest.fixture
def fuzz_world(app, make_user, make_initiative):
    # The bot guards would stop most posts before validation; the crawl wants to get past them.
    app.config.update(FORUM_MIN_FILL_SECONDS=0, FORUM_POST_LIMIT=1_000_000,
                      FORUM_APPROVALS_BEFORE_TRUSTED=0)
    return build_world(make_user, make_initiative, app)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", ROLES)
def test_fuzzed_crawl_gives_no_server_errors(app, client, login, fuzz_world, role,
                                            report_figure):
    crawl = Crawl(app, client, login, fuzz_world, role)
    with ErrorLog() as errors:
        crawl.log_in()
        crawl.discover()
        order = sorted(routes(app), key=lambda item: (item[0].endpoint in LAST, item[1],
                                                      item[0].rule))
        for rule, method in order:
            crawl.stay_logged_in = rule.endpoint not in LAST
            crawl.fuzz(rule, method)
    everything = {(rule.endpoint, rule.rule, method) for rule, method in routes(app)}
    coverage = 100 * len(crawl.covered & everything) / len(everything)
    report_figure(f"fuzzed crawl: requests as {role}", crawl.requests)
    report_figure(f"fuzzed crawl: routes covered as {role} (%)", round(coverage, 1))
    report_figure(f"fuzzed crawl: 5xx and exceptions as {role}", len(crawl.failures))
    report_figure(f"fuzzed crawl: posts answered 200/302/303 as {role}", crawl.accepted_posts)
    assert not crawl.failures, "\n".join(crawl.failures[:40])
    logged = [f"{record.name}: {record.getMessage()[:300]}" for record in errors.records]
    assert not logged, "\n".join(logged[:40])
    assert coverage == 100
    assert crawl.requests >= REQUESTS_PER_ROLE


# --- What the crawl found, pinned (X08-X10) --------------------------------------------------

PINNED = [
    "/agenda/99999999999999999999", "/documenten/2147483648/download",
    "/forum/vraag/99999999999999999999",
    "/documenten/vergelijk?links=1&rechts=99999999999999999999",
    "/documenten?pagina=99999999999999999999", "/documenten?organisatie=99999999999999999999",
    "/documenten?organisatie=%C2%B2", "/forum?pagina=9223372036854775807",
    "/initiatieven?pagina=99999999999999999999", "/beheer/gebruikers?page=99999999999999999999",
    "/agenda/nieuw?organisatie=%C2%B2", "/agenda/nieuw?organisatie=99999999999999999999",
    "/documenten?trefwoord=%00", "/initiatieven?q=%00", "/api/v1/initiatives?q=%00",
    "/initiatieven.geojson?q=%00", "/forum/onderwerp/%00", "/initiatieven/%00", "/tips/a%00b",
]


def test_numbers_and_nul_that_once_gave_a_500_now_give_a_4xx_or_a_page(app, client, login,
                                                                       fuzz_world):
    log_in_as(client, login, fuzz_world, "admin")
    for url in PINNED:
        status = client.get(url).status_code
        assert status < 500, (url, status)
        assert status in (200, 400, 404) or "%00" not in url, (url, status)


def test_nul_in_a_form_is_refused_in_dutch(app, client, login, fuzz_world):
    log_in_as(client, login, fuzz_world, "member")
    page = client.get("/profiel")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
                      page.get_data(as_text=True)).group(1)
    response = client.post("/profiel", data={"csrf_token": token, "display_name": "Mira\x00"})
    assert response.status_code == 400
    assert "Er ging iets mis met je verzoek" in response.get_data(as_text=True)
    db.session.expire_all()
    assert fuzz_world.users["member"].display_name == "Mira Lid"


def test_oversized_requests_are_refused_not_crashed(app, client):
    """X08: more than 1000 form parts, a 600 kB field, a body over the upload limit."""
    parts = {f"veld{n}": "x" for n in range(1001)}
    assert client.post("/inloggen", data=parts,
                       content_type="multipart/form-data").status_code == 413
    assert client.post("/inloggen", data={"email": "x" * 600_000},
                       content_type="multipart/form-data").status_code == 413
    huge = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)
    assert client.post("/wachtwoord-vergeten", data=huge,
                       content_type="application/x-www-form-urlencoded").status_code == 413
