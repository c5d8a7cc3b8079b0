"""Load the guide, tips, kennisbronnen, initiatives and networks from kennisnet/content.

Idempotent: a row is created when missing, and updated from the files only while nobody has
edited it since the last seed (its fields still hash to the stored seed_hash). Administrators'
edits are therefore never overwritten, and running seed twice changes nothing.
"""

import hashlib
import json
import tomllib
from pathlib import Path

from sqlalchemy import select

from kennisnet.extensions import db
from kennisnet.initiatives.models import Initiative, Network, NetworkMember
from kennisnet.tips.models import GuidePage, KnowledgeSource, Tip

CONTENT_DIR = Path(__file__).parent / "content"
FRONT_MATTER_FENCE = "+++"


def fingerprint(values: dict) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def read_guide_pages(folder: Path = CONTENT_DIR / "guide") -> list[dict]:
    pages = []
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split(FRONT_MATTER_FENCE + "\n", 2)
        meta = tomllib.loads(front)
        pages.append({**meta, "body": body.strip()})
    return pages


def read_toml(name: str, key: str) -> list[dict]:
    with open(CONTENT_DIR / name, "rb") as handle:
        return tomllib.load(handle).get(key, [])


class Stats:
    def __init__(self):
        self.created = self.updated = self.kept = 0

    def __str__(self):
        return f"{self.created} nieuw, {self.updated} bijgewerkt, {self.kept} ongewijzigd"


def upsert(model, values: dict, stats: Stats, apply=None):
    """Create or refresh one seeded row; `apply` sets fields that are not plain columns."""
    apply = apply or (lambda row, vals: _set_columns(row, vals))
    row = db.session.scalar(select(model).where(model.slug == values["slug"]))
    new_hash = fingerprint(values)
    if row is None:
        row = model()
        apply(row, values)
        row.seed_hash = new_hash
        db.session.add(row)
        stats.created += 1
    elif row.seed_hash == new_hash:
        stats.kept += 1
    elif row.seed_hash == fingerprint(_current_values(row, values)):
        apply(row, values)
        row.seed_hash = new_hash
        stats.updated += 1
    else:
        stats.kept += 1  # edited by an administrator since the last seed: theirs wins
    return row


def _set_columns(row, values: dict) -> None:
    for key, value in values.items():
        setattr(row, key, value)


def _current_values(row, values: dict) -> dict:
    return {key: _read_field(row, key) for key in values}


def _read_field(row, key):
    if key == "services":
        return row.service_keys
    if key == "provinces":
        return row.province_keys
    if key == "members":
        return [link.initiative.slug for link in row.member_links]
    if key == "guide_page":
        return row.guide_page.slug if row.guide_page else ""
    return getattr(row, key)


def seed_guide(stats: Stats) -> None:
    for page in read_guide_pages():
        upsert(GuidePage, page, stats)
    db.session.flush()


def seed_tips(stats: Stats) -> None:
    pages = {p.slug: p for p in db.session.scalars(select(GuidePage))}

    def apply(row, values):
        _set_columns(row, {k: v for k, v in values.items() if k != "guide_page"})
        row.guide_page = pages.get(values.get("guide_page", ""))

    for tip in read_toml("tips.toml", "tip"):
        upsert(Tip, tip, stats, apply)


def seed_sources(stats: Stats) -> None:
    for position, source in enumerate(read_toml("sources.toml", "source")):
        upsert(KnowledgeSource, {**source, "position": position,
                                 "province": source.get("province") or None}, stats)


def seed_initiatives(stats: Stats) -> None:
    def apply(row, values):
        _set_columns(row, {k: v for k, v in values.items() if k != "services"})
        row.set_services(values.get("services", []))

    for initiative in read_toml("initiatives.toml", "initiative"):
        initiative["founded_year"] = initiative.get("founded_year") or None
        upsert(Initiative, initiative, stats, apply)
    db.session.flush()


def seed_networks(stats: Stats) -> None:
    initiatives = {i.slug: i for i in db.session.scalars(select(Initiative))}

    def apply(row, values):
        _set_columns(row, {k: v for k, v in values.items() if k not in ("provinces", "members")})
        row.set_provinces(values.get("provinces", []))
        row.province = values["provinces"][0] if len(values.get("provinces", [])) == 1 else None
        row.member_links = [NetworkMember(initiative=initiatives[slug])
                            for slug in values.get("members", []) if slug in initiatives]

    for network in read_toml("networks.toml", "network"):
        upsert(Network, network, stats, apply)


def seed_all() -> Stats:
    stats = Stats()
    seed_guide(stats)
    seed_tips(stats)
    seed_sources(stats)
    seed_initiatives(stats)
    seed_networks(stats)
    db.session.flush()
    return stats
