"""Highlighted snippets of hits: Whoosh's highlighter, over plain tuples.

Whoosh retokenises a hit's text and hands every word through five generators as a Token
object that is copied along the way; for ten hits that was a quarter of the results page's
time. This module runs the same steps (ContextFragmenter, BasicFragmentScorer, top fragments
in text order, HtmlFormatter) over tuples. The output is byte for byte what Whoosh makes
(tests/test_search_snippets.py compares them), so its behaviour stays Whoosh's.
"""

from collections import deque
from heapq import nlargest
from html import escape

MAX_CHARS = 240  # ContextFragmenter(maxchars=240, surround=60)
SURROUND = 60
CHAR_LIMIT = 2**15  # Whoosh's default: words further in are never highlighted
BETWEEN = " … "
MAX_CLASSES = 5
MARK = '<mark class="hl term{number}">{text}</mark>'


class Fragment:
    __slots__ = ("start", "end", "matches")

    def __init__(self, text: str, matches: list, start: int | None, end: int | None):
        if start is None:
            start = matches[0][1] if matches else 0
        if end is None:
            end = matches[-1][2] if matches else len(text)
        self.start, self.end, self.matches = max(0, start), min(len(text), end), matches

    def __lt__(self, other: "Fragment") -> bool:  # as Whoosh's, for ties in score
        return self.start < other.start

    @property
    def score(self) -> float:
        return float(len(self.matches)) * (len({m[0] for m in self.matches}) * 100 or 1)


class Snippets:
    """Snippets for the hits of one results page, in rank order: as with Whoosh's formatter,
    a word's class (term0…term4) is numbered across the whole page."""

    def __init__(self, words: frozenset[str], tokenizer, top: int = 2):
        self.words, self.tokenizer, self.top = words, tokenizer, top
        self.seen: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        tokens = self._tokens(text)
        if not any(token[3] for token in tokens):
            return ""  # Whoosh's fragments would all score 0
        fragments = _fragments(text, _merged(tokens))
        scored = nlargest(self.top, ((fragment.score, fragment) for fragment in fragments))
        best = sorted((fragment for score, fragment in scored if score >= 1),
                      key=lambda fragment: fragment.start)
        return BETWEEN.join(self._format(text, fragment) for fragment in best)

    def _tokens(self, text: str) -> list[tuple]:
        """(term, start, end, matched) as the index-mode analyser yields them: a compound's
        parts follow it with the same characters, stop words stay (unmatched)."""
        words, tokens = self.words, []
        append = tokens.append
        for start, end, term, parts in self.tokenizer.words_with_chars(text):
            append((term, start, end, term in words))
            for part in parts:
                append((part, start, end, part in words))
        return tokens

    def _format(self, text: str, fragment: Fragment) -> str:
        output, index = [], fragment.start
        for _term, start, end, _matched in sorted(fragment.matches,
                                                  key=lambda m: (m[1], m[1] - m[2])):
            if start < index:
                continue
            if start > index:
                output.append(escape(text[index:start], quote=False))
            output.append(self._mark(escape(text[start:end], quote=False)))
            index = end
        output.append(escape(text[index:fragment.end], quote=False))
        return "".join(output)

    def _mark(self, word: str) -> str:
        number = self.seen.get(word)
        if number is None:
            number = self.seen[word] = len(self.seen) % MAX_CLASSES
        return MARK.format(number=number, text=word)


def _merged(tokens):
    """Consecutive matched tokens that overlap become one (Highlighter._merge_matched_tokens)."""
    merged = None
    for token in tokens:
        term, start, end, matched = token
        if not matched:
            if merged is not None:
                yield tuple(merged)
                merged = None
            yield token
        elif merged is None:
            merged = [term, start, end, True]
        elif start <= merged[2]:
            if end > merged[2]:
                merged[0] += term[merged[2] - end:]
                merged[2] = end
        else:
            yield tuple(merged)
            merged = None
            yield token
    if merged is not None:
        yield tuple(merged)


def _fragments(text: str, tokens):
    """ContextFragmenter.fragment_tokens, step for step (its empty fragments score 0)."""
    first, firsts, countdown, matches, end, length = None, deque(), -1, [], None, 0
    for token in tokens:
        _term, start, end, matched = token
        size = end - start
        if end > CHAR_LIMIT:
            break
        if countdown < 0 and not matched:
            firsts.append(start)
            while firsts and end - firsts[0] > SURROUND:
                firsts.popleft()
        elif length + size > MAX_CHARS:
            countdown = 0
        elif matched:
            countdown = SURROUND
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = start
                    countdown += SURROUND
            matches.append(token)
        if countdown >= 0:
            length += size
            countdown -= size
            if countdown <= 0:
                yield Fragment(text, matches, first, end)
                first, firsts, matches, length = None, deque(), [], 0
    if matches:
        yield Fragment(text, matches, first, end)
