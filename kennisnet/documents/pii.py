"""Spot text that looks like personal data, so the uploader can check before publishing.

Notarial statuten often carry the founders' home addresses; a warning is cheaper than a leak.
Findings are shown masked: the page must not repeat what it warns about.
"""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
PHONE = re.compile(r"(?<![\w+])(?:\+31|0031|0)[\s-]?(?:\(0\))?[\s-]?[1-9](?:[\s-]?\d){8}(?!\d)")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
POSTCODE = r"[1-9]\d{3} ?(?!SA|SD|SS)[A-Z]{2}"
ADDRESS = re.compile(
    rf"\b[A-Za-zÀ-ÿ][\w'À-ÿ.-]+ \d{{1,5}}(?: ?[a-zA-Z])?(?:-\d+)?,?\s+{POSTCODE}\b"
    rf"|\b{POSTCODE}\s+\d{{1,5}}\b")
# Written as 123456789, 123.456.789, 123 456 789 or 1234.56.789.
BSN_LIKE = re.compile(r"(?<![\d.])(?:\d{3}([. ]?)\d{3}\1\d{3}|\d{4}\.\d{2}\.\d{3})(?![\d]|\.\d)")

LABELS = {
    "email": "e-mailadres",
    "phone": "telefoonnummer",
    "iban": "IBAN (bankrekening)",
    "address": "adres met postcode en huisnummer",
    "bsn": "nummer dat op een BSN lijkt",
}
MAX_EXAMPLES = 3


def iban_ok(candidate: str) -> bool:
    value = candidate.replace(" ", "")
    if not 15 <= len(value) <= 34:
        return False
    rearranged = value[4:] + value[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1


def elfproef(candidate: str) -> bool:
    """The BSN "11-proef": 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11."""
    digits = [int(ch) for ch in candidate if ch.isdigit()]
    if len(digits) != 9 or not any(digits):
        return False
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def mask(value: str) -> str:
    """Keep the first two and last two characters: enough to recognise, not enough to use."""
    value = value.strip()
    if len(value) <= 4:
        return "•" * len(value)
    return value[:2] + "•" * (len(value) - 4) + value[-2:]


def find_personal_data(text: str) -> list[dict]:
    """[{"kind", "label", "count", "examples"}] for each kind of personal data found."""
    found: dict[str, list[str]] = {}
    taken: list[tuple[int, int]] = []

    def add(kind, match):
        if any(start < match.end() and match.start() < end for start, end in taken):
            return
        taken.append(match.span())
        found.setdefault(kind, []).append(match.group(0))

    for match in EMAIL.finditer(text):
        add("email", match)
    for match in IBAN.finditer(text):
        if iban_ok(match.group(0)):
            add("iban", match)
    for match in ADDRESS.finditer(text):
        add("address", match)
    for match in PHONE.finditer(text):
        add("phone", match)
    for match in BSN_LIKE.finditer(text):
        if elfproef(match.group(0)):
            add("bsn", match)
    return [{"kind": kind, "label": LABELS[kind], "count": len(values),
             "examples": [mask(v) for v in values[:MAX_EXAMPLES]]}
            for kind, values in found.items()]
