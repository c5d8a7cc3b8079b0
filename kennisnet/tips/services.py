"""Administrators' edits of the seeded guide and tips; `kennisnet seed` leaves them alone after."""


def update_guide_page(page, title: str, summary: str, body: str) -> None:
    page.title = title.strip()
    page.summary = (summary or "").strip()
    page.body = body.strip()


def update_tip(tip, title: str, explanation: str, quote: str, quote_by: str) -> None:
    tip.title = title.strip()
    tip.explanation = explanation.strip()
    tip.quote = (quote or "").strip()
    tip.quote_by = (quote_by or "").strip()
