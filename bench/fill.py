"""A kennisnet instance with realistic volume for the page benchmarks, built once and cached.

    .venv/bin/python bench/fill.py [--force]

Builds .bench/pages-v<VERSION>/ (SQLite database, search index, upload folder) with the seed
content plus 2,000 members, 1,000 initiatives, 10,000 documents, 5,000 events, 20,000 questions
with 100,000 answers (question `manifest["question_50"]` has exactly 50) and 64,000 older, closed
questions, so the index that `kennisnet search rebuild`'s code builds holds more than 100,000
items. Rows go in with Core executemany (no ORM flush, so no outbox rows); the index is then
built once by the search package's rebuild. Raise VERSION when the data or the schema changes:
a rerun reuses a finished instance of the same version.
"""

import argparse
import json
import os
import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

VERSION = 1
SEED = 8_2026
MEMBERS = 2_000
INITIATIVES = 1_000
DOCUMENTS = 10_000
EVENTS = 5_000
QUESTIONS = 20_000
ANSWERS = 100_000
ARCHIVED_QUESTIONS = 64_000
QUESTION_50_ANSWERS = 50


SCALE = 1  # --scale N divides every count (a quick trial run in its own folder)


def instance_dir() -> Path:
    suffix = f"-scale{SCALE}" if SCALE != 1 else ""
    return ROOT / ".bench" / f"pages-v{VERSION}{suffix}"


def set_scale(scale: int) -> None:
    global SCALE, MEMBERS, INITIATIVES, DOCUMENTS, EVENTS, QUESTIONS, ANSWERS, ARCHIVED_QUESTIONS
    SCALE = scale
    MEMBERS, INITIATIVES, DOCUMENTS, EVENTS = (n // scale for n in (MEMBERS, INITIATIVES,
                                                                     DOCUMENTS, EVENTS))
    QUESTIONS, ANSWERS, ARCHIVED_QUESTIONS = (n // scale for n in (QUESTIONS, ANSWERS,
                                                                    ARCHIVED_QUESTIONS))


def instance_env(folder: Path) -> dict[str, str]:
    """The environment that points `create_app()` (gunicorn, CLI) at the filled instance."""
    return {
        "KENNISNET_INSTANCE_PATH": str(folder),
        "KENNISNET_DATABASE_URL": f"sqlite:///{folder / 'kennisnet.sqlite3'}",
        "KENNISNET_SEARCH_INDEX_DIR": str(folder / "search-index"),
        "KENNISNET_UPLOAD_DIR": str(folder / "uploads"),
    }


def make_app(folder: Path):
    from kennisnet import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": instance_env(folder)["KENNISNET_DATABASE_URL"],
        "SEARCH_INDEX_DIR": str(folder / "search-index"),
        "UPLOAD_DIR": str(folder / "uploads"),
        "MAIL_OUTBOX_DIR": str(folder / "mail"),
    })


def ensure_instance(force: bool = False) -> tuple[Path, dict]:
    """The filled instance folder and its manifest; fills it when missing or unfinished."""
    folder = instance_dir()
    manifest_path = folder / "manifest.json"
    if manifest_path.exists() and not force:
        add_new_tables(folder)
        return folder, json.loads(manifest_path.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    manifest = fill(folder)
    manifest["fill_seconds"] = round(time.perf_counter() - started, 1)
    # Written last: an interrupted fill leaves no manifest and is redone from scratch.
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return folder, manifest


def add_new_tables(folder: Path) -> None:
    """Tables and indexes added to the models since the fill (a new column needs a new
    VERSION)."""
    from kennisnet.extensions import db

    app = make_app(folder)
    with app.app_context():
        db.create_all()
        # create_all skips the indexes of tables that exist; a new index is a model change the
        # benchmark must see.
        with db.engine.begin() as connection:
            for table in db.metadata.sorted_tables:
                for index in table.indexes:
                    index.create(connection, checkfirst=True)
        db.engine.dispose()


def fill(folder: Path) -> dict:
    from kennisnet.extensions import db

    app = make_app(folder)
    # A request context: labels are lazy translations and search documents build URLs.
    with app.test_request_context("/"):
        db.create_all()
        step("seed content", seed_content)
        filler = Filler()
        step(f"{MEMBERS:,} members", filler.members)
        step(f"{INITIATIVES:,} initiatives", filler.initiatives)
        step(f"{DOCUMENTS:,} documents", filler.documents)
        step(f"{EVENTS:,} events", filler.events)
        step(f"{QUESTIONS:,} questions, {ANSWERS:,} answers", filler.questions)
        step(f"{ARCHIVED_QUESTIONS:,} archived questions", filler.archived_questions)
        step("feed texts of the events", filler.feed_texts)
        count = step("search index (rebuild)", rebuild_index)
        filler.manifest["indexed_items"] = count
        db.session.remove()
        db.engine.dispose()
    return filler.manifest


def step(label: str, action):
    started = time.perf_counter()
    result = action()
    print(f"  fill: {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def seed_content() -> None:
    from kennisnet.extensions import db
    from kennisnet.forum.cli import DEFAULT_TAGS
    from kennisnet.forum.services import ensure_tags
    from kennisnet.seed import seed_all

    seed_all()
    ensure_tags(DEFAULT_TAGS)
    db.session.commit()


def rebuild_index() -> int:
    from kennisnet.extensions import db
    from kennisnet.search.indexer import REBUILD_PROCS, rebuild
    from kennisnet.search.models import SearchOutbox

    count = rebuild(procs=REBUILD_PROCS)
    # The seed's ORM writes left outbox rows; the fresh index already holds them.
    db.session.execute(db.delete(SearchOutbox))
    db.session.commit()
    return count


class Filler:
    def __init__(self):
        from search import Corpus  # bench/search.py: Zipf-distributed Dutch words

        self.corpus = Corpus(0)
        self.rng = random.Random(SEED)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.manifest: dict = {"version": VERSION}

    # ------------------------------------------------------------------------- helpers

    def text(self, low: int, high: int) -> str:
        from search import _sentences

        return _sentences(self.corpus.draw(self.rng.randint(low, high)), self.rng)

    def title(self, low: int = 3, high: int = 7) -> str:
        words = [self.rng.choice(self.corpus.content_words) for _ in range(self.rng.randint(low,
                                                                                          high))]
        return " ".join(words).capitalize()

    def ago(self, max_days: float, min_days: float = 0) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(min_days * 86400, max_days * 86400))

    @staticmethod
    def next_id(model) -> int:
        from kennisnet.extensions import db

        # The table's column: an ORM subclass such as Initiative would add its type filter.
        return (db.session.scalar(db.select(db.func.max(model.__table__.c.id))) or 0) + 1

    @staticmethod
    def insert(model_or_table, rows: list[dict], chunk: int = 20_000) -> None:
        from kennisnet.extensions import db

        table = getattr(model_or_table, "__table__", model_or_table)
        for start in range(0, len(rows), chunk):
            db.session.execute(table.insert(), rows[start:start + chunk])
        db.session.commit()

    # ---------------------------------------------------------------------------- rows

    def members(self) -> None:
        from kennisnet.accounts.models import User
        from kennisnet.vocab import FIELD_ROLES, PROVINCES

        first = self.next_id(User)
        roles, provinces = list(FIELD_ROLES), list(PROVINCES)
        # No one logs in during the benchmark, so a placeholder hash saves 2,000 PBKDF2 runs.
        rows = [{"id": first + n, "email": f"lid{n}@bench.example.nl", "password_hash": "!",
                 "display_name": f"{self.title(1, 1)} {self.title(1, 1)}",
                 "field_role": self.rng.choice(roles), "province": self.rng.choice(provinces),
                 "bio": "", "site_role": "member", "session_epoch": 0, "is_active": True,
                 "email_confirmed_at": self.now, "created_at": self.ago(1500)}
                for n in range(MEMBERS)]
        self.insert(User, rows)
        self.user_ids = [row["id"] for row in rows]

    def initiatives(self) -> None:
        from initiatives_bench import _facts, _place

        from kennisnet.initiatives.models import Initiative, InitiativeService
        from kennisnet.vocab import INITIATIVE_KINDS, LEGAL_FORMS, PROVINCES, SERVICES

        rng, first = self.rng, self.next_id(Initiative)
        kinds, forms, provinces = list(INITIATIVE_KINDS), list(LEGAL_FORMS), list(PROVINCES)
        rows, links = [], []
        for n in range(INITIATIVES):
            place, kind = _place(rng), rng.choice(kinds)
            created = self.ago(2500)
            rows.append({
                "id": first + n, "type": "initiative", "slug": f"bench-{n}-{place.lower()}",
                "name": f"{INITIATIVE_KINDS[kind]} {place}", "description": self.text(30, 90),
                "website": f"https://{place.lower()}.example.nl", "contact_email": "",
                "kind": kind, **_facts(rng, forms, provinces, place),
                "confirmed_at": min(self.now, created + timedelta(days=rng.randint(0, 400))),
                "created_at": created, "updated_at": created,
            })
            links += [{"initiative_id": first + n, "service": s}
                      for s in rng.sample(list(SERVICES), rng.randint(1, 4))]
        self.insert(Initiative, rows)
        self.insert(InitiativeService, links)
        self.initiative_ids = [row["id"] for row in rows]
        self.initiative_provinces = {row["id"]: row["province"] for row in rows}
        self.manifest["initiative_slug"] = rows[0]["slug"]

    def documents(self) -> None:
        from kennisnet.documents.models import Document, DocumentTag, DocumentVersion
        from kennisnet.documents.vocab import DOCUMENT_TYPES, EXTRACTED

        rng, first = self.rng, self.next_id(Document)
        types = list(DOCUMENT_TYPES)
        tags = ["leden", "contributie", "zorg", "vrijwilligers", "vervoer", "bestuur",
                "gemeente", "subsidie", "ouderen", "statuten", "ontmoeting", "maaltijden"]
        documents, versions, tag_rows = [], [], []
        version_id = self.next_id(DocumentVersion)
        for n in range(DOCUMENTS):
            created = self.ago(1800)
            document_id = first + n
            documents.append({
                "id": document_id, "title": self.title(), "description": self.text(15, 60),
                "doc_type": rng.choice(types),
                "legal_form": rng.choice(["vereniging", "stichting", "cooperatie", None]),
                "year": rng.randint(2005, 2026), "licence": "cc-by-4.0",
                "visibility": rng.choice(["openbaar"] * 8 + ["leden", "organisatie"]),
                "owner_id": rng.choice(self.user_ids),
                "organisation_id": rng.choice(self.initiative_ids),
                "created_at": created, "updated_at": created, "published_at": created,
                "is_hidden": False, "download_count": rng.randint(0, 300),
            })
            for number in range(1, rng.choice([1, 1, 1, 2, 3]) + 1):
                versions.append({
                    "id": version_id, "document_id": document_id, "number": number,
                    "sha256": f"{document_id:032x}{number:032x}", "size": rng.randint(8_000,
                                                                                      900_000),
                    "mime": "application/pdf", "extension": "pdf",
                    "original_filename": f"document-{document_id}-v{number}.pdf",
                    "uploaded_by_id": None, "created_at": created,
                    "extraction_status": EXTRACTED, "extracted_text": self.text(200, 600),
                    "extraction_error": "", "extracted_at": created, "pii_json": "[]",
                    "published_at": created,
                })
                version_id += 1
            tag_rows += [{"document_id": document_id, "tag": tag}
                         for tag in rng.sample(tags, rng.randint(0, 3))]
        self.insert(Document, documents, chunk=5_000)
        self.insert(DocumentVersion, versions, chunk=5_000)
        self.insert(DocumentTag, tag_rows)
        self.manifest["document_id"] = next(d["id"] for d in documents
                                            if d["visibility"] == "openbaar")

    def events(self) -> None:
        from kennisnet.events.models import Event
        from kennisnet.vocab import EVENT_KINDS

        rng, first = self.rng, self.next_id(Event)
        kinds = list(EVENT_KINDS)
        rows = []
        for n in range(EVENTS):
            # Two years back and one year ahead: about a third is upcoming.
            starts = (self.now + timedelta(days=rng.uniform(-730, 365))).replace(
                minute=0, second=0)
            ends = starts + timedelta(hours=rng.choice([1, 2, 2, 3]))
            series = rng.random() < 0.05
            organisation = rng.choice(self.initiative_ids)
            rows.append({
                "id": first + n, "organisation_id": organisation, "title": self.title(2, 6),
                "description": self.text(40, 150), "kind": rng.choice(kinds),
                "starts_at": starts, "ends_at": ends, "is_all_day": False,
                "recurrence": "monthly" if series else None, "is_by_weekday": False,
                "repeat_until": None, "repeat_count": 12 if series else None,
                "last_ends_at": ends + timedelta(days=31 * 11) if series else ends,
                "is_online": rng.random() < 0.1, "online_url": "",
                "venue_name": "Dorpshuis", "address": "Dorpsstraat 1", "place": "Hoogeloon",
                "province": self.initiative_provinces[organisation],
                "latitude": None, "longitude": None, "capacity": rng.choice([None, 20, 40]),
                "is_registration_required": True, "contact": "", "practical_info": "",
                "is_wheelchair_accessible": rng.random() < 0.6, "has_hearing_loop": False,
                "parking": "", "public_transport": "", "offers_transport": False,
                "is_cancelled": rng.random() < 0.02, "sequence": 0, "created_by_id": None,
                "created_at": starts - timedelta(days=30), "updated_at": starts
                - timedelta(days=30), "ics_fragment": "",
            })
        self.insert(Event, rows, chunk=5_000)
        upcoming = [r for r in rows if r["starts_at"] > self.now + timedelta(days=2)
                    and not r["is_cancelled"] and not r["recurrence"]]
        self.manifest["event_id"] = min(upcoming, key=lambda r: r["starts_at"])["id"]

    def feed_texts(self) -> None:
        """What services.store_feed_text does on every change (see `kennisnet events
        rebuild-feeds`)."""
        from kennisnet.events import ical
        from kennisnet.events.models import Event
        from kennisnet.extensions import db

        base_url = "http://127.0.0.1:5000"
        texts = [{"b_id": event.id, "text": ical.fragment(event, base_url)}
                 for event in db.session.scalars(db.select(Event))]
        db.session.execute(Event.__table__.update()
                           .where(Event.__table__.c.id == db.bindparam("b_id"))
                           .values(ics_fragment=db.bindparam("text")), texts)
        db.session.commit()

    def questions(self) -> None:
        from kennisnet.extensions import db
        from kennisnet.forum.models import Answer, ForumTag, Question, question_tag

        rng = self.rng
        tag_ids = list(db.session.scalars(db.select(ForumTag.id)))
        first, answer_id = self.next_id(Question), self.next_id(Answer)
        # 100,000 answers over 20,000 questions: 50 on the measured one, the rest drawn so
        # most questions have a few and some have many.
        counts = [QUESTION_50_ANSWERS] + [0] * (QUESTIONS - 1)
        for _ in range(ANSWERS - QUESTION_50_ANSWERS):
            counts[rng.randint(1, QUESTIONS - 1)] += 1
        questions, answers, links = [], [], []
        for n in range(QUESTIONS):
            question_id, created = first + n, self.ago(1400)
            last = created
            for k in range(counts[n]):
                at = created + timedelta(minutes=rng.randint(10, 60 * 24 * 30))
                last = max(last, at)
                answers.append(self.post(Answer, {
                    "id": answer_id, "question_id": question_id,
                    "author_id": rng.choice(self.user_ids), "is_accepted": k == 2,
                    "vote_count": rng.choice([0, 0, 0, 1, 1, 2, 5]), "created_at": at},
                    (20, 120)))
                answer_id += 1
            questions.append(self.question_row(question_id, created, last, closed=False))
            links += [{"question_id": question_id, "tag_id": tag}
                      for tag in rng.sample(tag_ids, rng.randint(1, 2))]
        self.insert(Question, questions, chunk=5_000)
        self.insert(Answer, answers, chunk=10_000)
        self.insert(question_tag, links)
        self.manifest["question_50"] = first

    def archived_questions(self) -> None:
        """Older, closed questions: what years of forum use leave behind, and what brings the
        search index past 100,000 items."""
        from kennisnet.forum.models import Question

        first = self.next_id(Question)
        rows = []
        for n in range(ARCHIVED_QUESTIONS):
            created = self.ago(365 * 8, 1400)
            rows.append(self.question_row(first + n, created, created, closed=True))
        self.insert(Question, rows, chunk=5_000)

    def question_row(self, question_id: int, created, last, closed: bool) -> dict:
        from kennisnet.forum.models import Question

        rng = self.rng
        return self.post(Question, {
            "id": question_id, "title": self.title(4, 10) + "?",
            "author_id": rng.choice(self.user_ids), "tip_id": None,
            "organisation_id": rng.choice(self.initiative_ids) if rng.random() < 0.5 else None,
            "is_locked": False, "is_closed": closed, "merged_into_id": None,
            "created_at": created, "last_activity_at": last}, (30, 150))

    def post(self, _model, row: dict, words: tuple[int, int]) -> dict:
        from kennisnet.forum.rendering import RENDER_VERSION, render_post

        body = self.text(*words)
        if self.rng.random() < 0.3:
            body += "\n\n- " + self.title(2, 4) + "\n- " + self.title(2, 4)
        return {**row, "body": body, "body_html": str(render_post(body)),
                "html_version": RENDER_VERSION, "status": "published", "is_hidden": False,
                "deleted_at": None, "edited_at": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="refill even when cached")
    parser.add_argument("--scale", type=int, default=1, help="divide every count by this")
    args = parser.parse_args()
    set_scale(args.scale)
    os.environ.setdefault("KENNISNET_ENV", "development")
    folder, manifest = ensure_instance(force=args.force)
    print(f"instance: {folder}")
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
