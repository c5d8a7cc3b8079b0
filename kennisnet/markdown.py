"""Markdown for user and seed text: raw HTML is escaped, then the result is allow-listed."""

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


# Pages render the same stored texts (tips, guide pages, event and profile descriptions) on
# every view; parsing and sanitising took a fifth of a tip page. The HTML depends only on the
# text, so recent results are kept (a bounded number, and only texts of a sensible size).
CACHED_TEXTS = 512
CACHED_MAX_CHARS = 20_000


def render_markdown(text: str | None, *, shift_headings: bool = True) -> Markup:
    """Safe HTML for Markdown text; `# x` becomes h2 because the page owns its single h1."""
    if not text:
        return Markup("")
    if len(text) > CACHED_MAX_CHARS:
        return _render(text, shift_headings)
    return _cached_render(text, shift_headings)


@lru_cache(maxsize=CACHED_TEXTS)
def _cached_render(text: str, shift_headings: bool) -> Markup:
    return _render(text, shift_headings)


def _render(text: str, shift_headings: bool) -> Markup:
    html = _parser.render(text)
    if shift_headings:
        html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 above


def plain_text(text: str | None) -> str:
    """Markdown reduced to its words, for search and summaries."""
    if not text:
        return ""
    return text_of_html(_parser.render(text))


def text_of_html(markup: str | None) -> str:
    """The words of HTML we rendered and sanitised ourselves (a post's stored HTML)."""
    if not markup:
        return ""
    # nh3 keeps entities escaped; unescape once so search and summaries hold plain characters.
    return html.unescape(nh3.clean(markup, tags=set())).strip()
