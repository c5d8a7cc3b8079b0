"""The readable preview on a document page: the first pages, split into articles."""

from dataclasses import dataclass, field

from kennisnet.documents.articles import Article, compare, paragraphs, split_articles
from kennisnet.documents.vocab import EXTRACTED

PREVIEW_CHARS = 20_000


@dataclass
class Preview:
    intro: list[str] = field(default_factory=list)
    articles: list[tuple[Article, list[str]]] = field(default_factory=list)
    is_truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.intro and not self.articles


def build(text: str | None) -> Preview:
    text = text or ""
    shown = text[:PREVIEW_CHARS]
    intro, articles = split_articles(shown)
    return Preview(intro=paragraphs(intro),
                   articles=[(article, paragraphs(article.lines)) for article in articles],
                   is_truncated=len(text) > PREVIEW_CHARS)


def _text(document) -> str:
    version = document.current_version
    if version is None or version.extraction_status != EXTRACTED:
        return ""
    return version.extracted_text or ""


def compare_documents(left, right):
    return compare(_text(left), _text(right))
