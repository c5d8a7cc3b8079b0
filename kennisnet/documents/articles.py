"""Statuten split into articles, and two statuten compared article by article."""

import difflib
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

ARTICLE_LINE = re.compile(r"^\s*(?:artikel|art\.)\s+(\d{1,3})\b\s*[.:\-–—]?\s*(.*)$", re.I)
HEADING_MAX = 90
HEADING_MATCH = 0.6


@dataclass
class Article:
    number: int
    heading: str
    lines: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"artikel-{self.number}"

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def split_articles(text: str) -> tuple[list[str], list[Article]]:
    """(lines before the first article, articles). No articles found -> ([all lines], [])."""
    intro: list[str] = []
    articles: list[Article] = []
    seen: set[int] = set()
    lines = (text or "").splitlines()
    index = 0
    while index < len(lines):
        match = ARTICLE_LINE.match(lines[index])
        if match and int(match.group(1)) not in seen:
            heading = match.group(2).strip()
            if not heading and index + 1 < len(lines) and _looks_like_heading(lines[index + 1]):
                index += 1
                heading = lines[index].strip()
            seen.add(int(match.group(1)))
            articles.append(Article(int(match.group(1)), heading[:HEADING_MAX]))
        elif articles:
            articles[-1].lines.append(lines[index])
        else:
            intro.append(lines[index])
        index += 1
    return intro, articles


def _looks_like_heading(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= HEADING_MAX and not line.endswith((".", ";", ","))


def paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, with PDF line breaks inside a paragraph joined."""
    result, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            result.append(" ".join(current))
            current = []
    if current:
        result.append(" ".join(current))
    return result


@dataclass
class ArticlePair:
    left: Article | None
    right: Article | None
    left_html: Markup = Markup("")
    right_html: Markup = Markup("")
    same: bool = False


def _normal(heading: str) -> str:
    return re.sub(r"\W+", " ", heading.lower()).strip()


def match_articles(left: list[Article], right: list[Article]) -> list[tuple]:
    """Pairs (left, right): first by similar heading, then by equal number; the rest alone."""
    pairs: dict[int, Article] = {}
    free = list(right)
    for article in left:
        best, best_ratio = None, HEADING_MATCH
        for candidate in free:
            ratio = difflib.SequenceMatcher(
                None, _normal(article.heading), _normal(candidate.heading)).ratio()
            if article.heading and candidate.heading and ratio >= best_ratio:
                best, best_ratio = candidate, ratio
        if best is not None:
            pairs[article.number] = best
            free.remove(best)
    for article in left:
        if article.number not in pairs:
            same_number = next((c for c in free if c.number == article.number), None)
            if same_number is not None:
                pairs[article.number] = same_number
                free.remove(same_number)
    result = [(article, pairs.get(article.number)) for article in left]
    result.extend((None, article) for article in free)
    return result


def diff_words(left: str, right: str) -> tuple[Markup, Markup, bool]:
    """Both texts as HTML with removed words marked on the left and added words on the right."""
    a, b = left.split(), right.split()
    left_out, right_out = [], []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = escape(" ".join(a[i1:i2])), escape(" ".join(b[j1:j2]))
        if op == "equal":
            left_out.append(old)
            right_out.append(new)
            continue
        if i2 > i1:
            left_out.append(Markup('<del class="diff-del">{}</del>').format(old))
        if j2 > j1:
            right_out.append(Markup('<ins class="diff-ins">{}</ins>').format(new))
    same = all(op == "equal" for op, *_ in matcher.get_opcodes())
    return Markup(" ").join(left_out), Markup(" ").join(right_out), same


def compare(left_text: str, right_text: str) -> list[ArticlePair]:
    _, left = split_articles(left_text)
    _, right = split_articles(right_text)
    result = []
    for a, b in match_articles(left, right):
        pair = ArticlePair(a, b)
        pair.left_html, pair.right_html, pair.same = diff_words(
            " ".join(paragraphs(a.lines)) if a else "", " ".join(paragraphs(b.lines)) if b else "")
        result.append(pair)
    return result
