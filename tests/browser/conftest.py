"""Playwright against Debian's Chromium; downloading Playwright's own browsers is blocked here."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; run scripts/ensure-chromium.sh")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}


@pytest.fixture
def axe_check():
    """Fails the test on any WCAG 2.1 A/AA violation axe-core finds on the current page."""
    axe = Axe()

    def check(page):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        assert results.violations_count == 0, results.generate_report()
        return results

    return check


@pytest.fixture
def page_errors(page):
    """Console errors and CSP violations seen while the test ran; assert it stays empty."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


# Every page a browser test opens reports Content-Security-Policy violations to Python through
# an exposed binding, so a violation in a document that has since navigated away is not lost.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__kennisnetCspViolation(
    [e.effectiveDirective, e.blockedURI, e.sourceFile + ':' + e.lineNumber].join(' '));
});
"""


class CspWatch:
    def __init__(self):
        self.violations: list[str] = []
        self.pages = 0

    def attach(self, context, scripting: bool) -> None:
        context.expose_binding("__kennisnetCspViolation", self._record)
        context.add_init_script(CSP_LISTENER)
        context.on("page", self._watch_page if scripting else self._watch_console)

    def _record(self, source, text) -> None:
        self.violations.append(f"{source['frame'].url}: {text}")

    def _watch_page(self, page) -> None:
        page.on("domcontentloaded", self._count_page)

    def _watch_console(self, page) -> None:
        # With JavaScript off the listener cannot run; Chromium still logs the refusal.
        page.on("domcontentloaded", self._count_page)
        page.on("console", lambda msg: self.violations.append(f"{page.url}: {msg.text}")
                if "Content Security Policy" in msg.text else None)

    def _count_page(self, _page) -> None:
        self.pages += 1


@pytest.fixture(autouse=True)
def _no_csp_violations(request, record_property):
    """Fails any browser test during which a page reported a CSP violation (figure 9)."""
    if "browser" not in request.fixturenames:
        yield None
        return
    browser = request.getfixturevalue("browser")
    watch = CspWatch()
    original = browser.new_context

    def new_context(*args, **kwargs):
        context = original(*args, **kwargs)
        watch.attach(context, kwargs.get("java_script_enabled", True))
        return context

    browser.new_context = new_context
    try:
        yield watch
    finally:
        browser.new_context = original
    for context in browser.contexts:
        for open_page in context.pages:
            if not open_page.is_closed():
                open_page.evaluate("0")  # lets pending binding calls reach Python
    record_property("total:browser pages checked for CSP violations", watch.pages)
    record_property("total:CSP violations in the browser suite", len(watch.violations))
    assert watch.violations == [], "CSP violations:\n" + "\n".join(watch.violations)
