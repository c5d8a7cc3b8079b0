from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from kennisnet.extensions import db
from kennisnet.tips.models import GuidePage, KnowledgeSource, Tip

LEVEL_ORDER = ("lokaal", "regionaal", "landelijk")


def guide_pages() -> list[GuidePage]:
    return list(db.session.scalars(select(GuidePage).order_by(GuidePage.position)))


def tips_in_phase(phase: str | None = None) -> list[Tip]:
    query = select(Tip).options(selectinload(Tip.guide_page))
    if phase:
        query = query.where(Tip.phase == phase)
    phase_order = case({"start": 0, "groei": 1}, value=Tip.phase, else_=2)
    return list(db.session.scalars(query.order_by(phase_order, Tip.number)))


def sources_by_level() -> dict[str, list[KnowledgeSource]]:
    grouped: dict[str, list[KnowledgeSource]] = {level: [] for level in LEVEL_ORDER}
    query = select(KnowledgeSource).order_by(KnowledgeSource.position, KnowledgeSource.name)
    for source in db.session.scalars(query):
        grouped.setdefault(source.level, []).append(source)
    return grouped


def neighbours(page: GuidePage) -> tuple[GuidePage | None, GuidePage | None]:
    pages = guide_pages()
    index = next(i for i, p in enumerate(pages) if p.id == page.id)
    previous = pages[index - 1] if index > 0 else None
    following = pages[index + 1] if index + 1 < len(pages) else None
    return previous, following


def tip_neighbours(tip: Tip) -> tuple[Tip | None, Tip | None]:
    tips = tips_in_phase(tip.phase)
    index = next(i for i, t in enumerate(tips) if t.id == tip.id)
    return (tips[index - 1] if index else None,
            tips[index + 1] if index + 1 < len(tips) else None)
