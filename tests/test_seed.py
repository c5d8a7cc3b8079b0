from sqlalchemy import func, select

from kennisnet.initiatives.models import Initiative, Network
from kennisnet.seed import seed_all
from kennisnet.tips.models import GuidePage, KnowledgeSource, Tip

GUIDE_SLUGS = {"wat-is-het", "waarom", "toekomstscenarios", "oud-of-nieuw", "wie-doet-mee",
               "hoe-begin-je", "hoe-groeit-het", "kennis-delen", "waar-vind-je-kennis"}


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_loads_the_factsheet(db, seeded):
    assert {p.slug for p in db.session.scalars(select(GuidePage))} == GUIDE_SLUGS
    tips = list(db.session.scalars(select(Tip)))
    assert len([t for t in tips if t.phase == "start"]) == 10
    assert len([t for t in tips if t.phase == "groei"]) == 6
    titles = {t.title for t in tips}
    assert "Luister goed naar wat mensen willen en hoe ze dit willen." in titles
    assert "Regel professionele ondersteuning bij allerlei partijen." in titles
    assert "Denk niet in beperkingen." in titles
    assert all(t.guide_page is not None for t in tips)
    levels = {s.level for s in db.session.scalars(select(KnowledgeSource))}
    assert levels == {"lokaal", "regionaal", "landelijk"}


def test_seed_names_the_factsheets_initiatives_with_coordinates(db, seeded):
    initiatives = {i.name: i for i in db.session.scalars(select(Initiative))}
    for needle in ("Hoogeloon", "Austerlitz", "Lennisheuvel", "Elsendorp", "Laarbeek", "Gemonde",
                   "Schaijk", "Hoonhorst", "Texel", "Voorschoten"):
        matches = [i for name, i in initiatives.items() if needle in name]
        assert matches, needle
        for initiative in matches:
            assert 50.7 < initiative.latitude < 53.6 and 3.3 < initiative.longitude < 7.3
    networks = {n.name for n in db.session.scalars(select(Network))}
    assert any("Kleine Kernen Limburg" in n or "VKKL" in n for n in networks)
    assert any("Omzien" in n for n in networks)


def test_seed_twice_changes_nothing(db, seeded):
    before = {m: _count(db, m) for m in (GuidePage, Tip, KnowledgeSource, Initiative, Network)}
    stats = seed_all()
    db.session.commit()
    assert stats.created == stats.updated == 0
    assert before == {m: _count(db, m) for m in before}


def test_seed_keeps_administrators_edits(db, seeded):
    tip = db.session.scalar(select(Tip).where(Tip.phase == "start", Tip.number == 1))
    tip.explanation = "Door de beheerder herschreven."
    db.session.commit()
    seed_all()
    db.session.commit()
    db.session.refresh(tip)
    assert tip.explanation == "Door de beheerder herschreven."


def test_seed_refreshes_rows_nobody_edited(db, seeded):
    page = db.session.scalar(select(GuidePage).where(GuidePage.slug == "waarom"))
    # Pretend the content file changed since the last seed.
    page.seed_hash = "0" * 64
    original_body = page.body
    page.body = "oude tekst"
    db.session.commit()
    stats = seed_all()
    db.session.commit()
    db.session.refresh(page)
    # The row no longer matches what was seeded, so it counts as edited and is left alone.
    assert page.body == "oude tekst" and stats.updated == 0
    assert original_body != "oude tekst"
