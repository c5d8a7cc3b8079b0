"""An XSS corpus through question titles, bodies, answers and tag names, rendered in Chromium with
the page's CSP switched off, so only our escaping and sanitising stand between a payload and
the visitor. Every payload calls alert() or __xss(); the counter must stay at zero."""
# ruff: noqa: F811 - pytest fixtures imported from tests/factories_forum.py

import pytest
from playwright.sync_api import Browser

from kennisnet.extensions import db
from kennisnet.forum.models import ForumTag

# Fixtures are imported by name, which ruff reads as redefinition in the test signatures.
from tests.factories_forum import forum_app, make_answer, make_question, make_tag  # noqa: F401

CALL = "alert(1)"

VECTORS = [
    "<script>{c}</script>",
    "<SCRIPT SRC=//x.example/x.js></SCRIPT><script>{c}</script>",
    "<img src=x onerror={c}>",
    "<img src=x onerror=\"{c}\">",
    "<IMG SRC=\"javascript:{c};\">",
    "<IMG SRC=javascript:{c}>",
    "<IMG SRC=JaVaScRiPt:{c}>",
    "<img src=`javascript:{c}`>",
    "<img \"\"\"><script>{c}</script>\">",
    "<svg onload={c}>",
    "<svg><script>{c}</script></svg>",
    "<svg><animate onbegin={c} attributeName=x dur=1s>",
    "<body onload={c}>",
    "<iframe src=\"javascript:{c}\"></iframe>",
    "<iframe srcdoc=\"<script>parent.{c}</script>\"></iframe>",
    "<object data=\"javascript:{c}\"></object>",
    "<embed src=\"javascript:{c}\">",
    "<a href=\"javascript:{c}\">klik</a>",
    "<a href=\"JaVaScRiPt:{c}\">klik</a>",
    "<a href=\"java&#x09;script:{c}\">klik</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{c}\">x</a>",
    "<a href=\"data:text/html,<script>{c}</script>\">x</a>",
    "<div onmouseover=\"{c}\" style=\"position:fixed;inset:0\">x</div>",
    "<input autofocus onfocus={c}>",
    "<select autofocus onfocus={c}></select>",
    "<textarea autofocus onfocus={c}></textarea>",
    "<details open ontoggle={c}>",
    "<video><source onerror=\"{c}\"></video>",
    "<audio src=x onerror={c}>",
    "<marquee onstart={c}>x</marquee>",
    "<math><mtext><table><mglyph><style><img src=x onerror={c}>",
    "<form><button formaction=javascript:{c}>x</button></form>",
    "<isindex type=image src=1 onerror={c}>",
    "<base href=\"javascript:{c}//\">",
    "<link rel=import href=\"data:text/html,<script>{c}</script>\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:{c}\">",
    "\"><script>{c}</script>",
    "'><script>{c}</script>",
    "</title><script>{c}</script>",
    "</textarea><script>{c}</script>",
    "--><script>{c}</script>",
    "<!--<img src=\"--><img src=x onerror={c}//\">",
    "<scr<script>ipt>{c}</scr</script>ipt>",
    "<<script>{c};//<</script>",
    "<style>@import 'javascript:{c}';</style>",
    "<div style=\"background:url(javascript:{c})\">x</div>",
    "{{{{ {c} }}}}",
    "{{% raw %}}{c}{{% endraw %}}",
    "${{{c}}}",
    "<noscript><p title=\"</noscript><img src=x onerror={c}>\">",
]

MARKDOWN_WRAPPERS = [
    "[klik hier](javascript:{c})",
    "[klik](JAVASCRIPT:{c})",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![plaatje](javascript:{c})",
    "<javascript:{c}>",
    "[x](vbscript:msgbox(1))",
    "[a](https://example.org\"onmouseover=\"{c})",
    "[a](<javascript:{c}>)",
    "[ref]\n\n[ref]: javascript:{c}",
    "```html\n<script>{c}</script>\n```",
    "`<img src=x onerror={c}>`",
    "> <script>{c}</script>",
    "# <img src=x onerror={c}>",
    "| a |\n|---|\n| <script>{c}</script> |",
    "**<svg onload={c}>**",
]


def corpus() -> list[str]:
    payloads = [vector.format(c=CALL) for vector in VECTORS]
    payloads += [vector.format(c="window.__xss()") for vector in VECTORS]
    payloads += [wrapper.format(c=CALL) for wrapper in MARKDOWN_WRAPPERS]
    return list(dict.fromkeys(payloads))


def test_corpus_is_large_enough():
    assert len(corpus()) >= 100


COUNTER = """
window.__xssCount = 0;
window.__xss = function () { window.__xssCount += 1; };
window.alert = window.confirm = window.prompt = function () { window.__xssCount += 1; };
"""

INJECTED_DOM = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('main *')) {
    const tag = el.tagName.toUpperCase();
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'STYLE', 'BASE', 'META'].includes(tag)) {
      bad.push(tag);
    }
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on') || /^\\s*(javascript|data|vbscript):/i.test(attr.value)) {
        bad.push(el.tagName + '@' + attr.name);
      }
    }
  }
  return bad;
}"""


@pytest.fixture
def xss_posts(forum_app, make_user, make_question, make_answer):
    payloads = corpus()
    author, helper = make_user(), make_user()
    tags = []
    for n, payload in enumerate(payloads[:40]):
        tag = ForumTag(name=payload[:80], slug=f"xss-{n}")
        db.session.add(tag)
        tags.append(tag)
    db.session.commit()
    questions = []
    for n, payload in enumerate(payloads):
        question = make_question(author, title=payload[:200], body=payload,
                                 tags=[tags[n % len(tags)]])
        make_answer(question, helper, body=payload)
        questions.append(question)
    return questions, tags


def test_no_payload_executes(browser: Browser, live_server, xss_posts):
    questions, tags = xss_posts
    context = browser.new_context(bypass_csp=True, locale="nl-NL")
    context.add_init_script(COUNTER)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    paths = [f"/forum/vraag/{q.id}" for q in questions]
    paths += [f"/forum?pagina={n}" for n in range(1, len(questions) // 20 + 2)]
    paths += [f"/forum/onderwerp/{tag.slug}" for tag in tags[:5]]
    paths += [f"/forum/vraag/{questions[0].id}/geschiedenis"]
    executed, injected = {}, {}
    for path in paths:
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        count = page.evaluate("window.__xssCount")
        if count:
            executed[path] = count
        found = page.evaluate(INJECTED_DOM)
        if found:
            injected[path] = found
    context.close()
    assert len(paths) >= len(questions) >= 100
    assert executed == {} and dialogs == []
    assert injected == {}
