"""Forum posts through the shared Markdown renderer, with the link attributes user content needs."""

import re

import nh3
from markupsafe import Markup

from kennisnet.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

# Raise when the renderer or its allowlist changes: stored HTML of an older version is then
# rendered afresh on display, and `kennisnet forum rerender` stores the new HTML.
RENDER_VERSION = 1

# Links in user posts are not endorsed by the site (nofollow ugc) and get no opener access.
POST_LINK_REL = "nofollow ugc noopener"

_LINK = re.compile(r"https?://|www\.|mailto:|\]\(|<[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def render_post(text: str | None) -> Markup:
    """Safe HTML for a post: markdown-it without raw HTML, then nh3 with our link policy."""
    html = str(render_markdown(text))
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        url_schemes={"http", "https", "mailto"}, link_rel=POST_LINK_REL)
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3 above


def has_link(*texts: str) -> bool:
    """True when any text holds something that becomes or looks like a link."""
    return any(_LINK.search(text or "") for text in texts)
