"""Search benchmark: prints figures, asserts nothing.

    python bench/search.py [N] [--procs P] [--queries Q] [--keep DIR]

Builds a synthetic Dutch corpus of N items (default 100,000: titles and ~150-word bodies drawn
with a Zipf distribution from a Dutch vocabulary: the words of kennisnet's own content first,
then compounds and generated words), indexes it with the real indexing code, and measures full
searches through the real engine (parse, synonyms and compounds, facet counts, top 10 with
highlighted snippets, did-you-mean), the latency from a database commit to searchable through
the real outbox and worker, and the same queries on SQLite FTS5 for comparison.
"""

import argparse
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kennisnet.search.registry import SearchDocument  # noqa: E402

SEED = 20261127
ZIPF_S = 1.0
BODY_WORDS = (120, 180)
KINDS = ("gids", "tip", "kennisbron", "initiatief", "netwerk", "document", "event", "question")
PROVINCES = ("groningen", "friesland", "drenthe", "overijssel", "flevoland", "gelderland",
             "utrecht", "noord-holland", "zuid-holland", "zeeland", "noord-brabant", "limburg")
TAGS = ("Vervoer", "Maaltijden", "Ontmoeting", "Klussendienst", "Dagbesteding", "Statuten",
        "Financiën", "Vrijwilligers", "Communicatie", "Bestuur", "Mantelzorg", "Wonen")
PHASES = ("start", "groei", "actief", "in_oprichting")
FIELD_WORDS = """zorgcoöperatie burgerinitiatief vrijwilliger vrijwilligers statuten contributie
coöperatie vereniging stichting dorpsondersteuner mantelzorger stadsdorp buurtnetwerk spreekuur
inloopspreekuur werkbezoek excursie gemeente ledenvergadering bestuur penningmeester subsidie
vervoer maaltijden dagbesteding klussendienst ontmoeting eenzaamheid leefbaarheid zorgverzekeraar
thuiszorg wijkverpleging huisarts ouderen bewoners dorpshuis buurthuis samenwerking afspraken
nieuwsbrief informatieavond vragenlijst werkgroep kennisbron netwerk provincie regio dorp
wijk""".split()
COMMON_WORDS = """de het een en van in is op dat die voor met te zijn niet aan er ook als bij of
om door maar naar dan nog wel kan worden uit over tot wat hun meer al zo zij we ze wordt heeft
moet hebben gaan veel goed nieuw groot klein jaar tijd mensen huis werk geld vraag antwoord plan
samen eerst daarna altijd vaak soms iedereen niemand elke week dag maand kosten hulp zorg welzijn
buurt kinderen ouders familie school winkel bus auto fiets tafel koffie thee eten drinken lopen
praten luisteren helpen zoeken vinden beginnen stoppen groeien regelen betalen kiezen besluiten
leren delen vertellen schrijven lezen bellen mailen bezoeken organiseren""".split()
SYLLABLES = """ba be bo da de do ge ho ka ke ko la le lo ma me mo na ne no pa pe po ra re ro
sa se so ta te to va ve vo wa we wo za ze zo aar eer oor uur ijk ing heid lijk baar schap""".split()


def vocabulary(size: int = 50_000) -> list[str]:
    """Words in Zipf rank order: real Dutch first, then compounds, then generated words."""
    rng = random.Random(SEED)
    content = _content_words()
    words = list(dict.fromkeys(COMMON_WORDS + content + FIELD_WORDS))
    heads = [w for w in FIELD_WORDS + content if len(w) >= 5][:400]
    modifiers = [w for w in content if 3 <= len(w) <= 7][:200]
    while len(words) < size * 0.6:
        words.append(rng.choice(modifiers) + rng.choice(heads))
    while len(words) < size:
        words.append("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return list(dict.fromkeys(words))[:size]


def _content_words() -> list[str]:
    from collections import Counter

    text = " ".join(p.read_text(encoding="utf-8").lower()
                    for p in (ROOT / "kennisnet" / "content").rglob("*") if p.is_file())
    counts = Counter(re.findall(r"[a-zëïöüéèáóú]{2,}", text))
    return [word for word, _ in counts.most_common()]


class Corpus:
    def __init__(self, n: int):
        self.n = n
        self.rng = random.Random(SEED)
        self.words = vocabulary()
        weights = [1 / (rank ** ZIPF_S) for rank in range(1, len(self.words) + 1)]
        self.cumulative = list(_accumulate(weights))
        self.content_words = [w for w in self.words[300:8000] if len(w) >= 4]

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=k)

    def document(self, number: int) -> SearchDocument:
        rng = self.rng
        title_words = [rng.choice(self.content_words) for _ in range(rng.randint(3, 7))]
        body = self.draw(rng.randint(*BODY_WORDS))
        return SearchDocument(
            kind=rng.choice(KINDS), id=number, title=" ".join(title_words).capitalize(),
            body=_sentences(body, rng), summary=" ".join(body[:30]),
            url=f"/bench/{number}", place="", province=rng.choice(PROVINCES),
            tags=rng.sample(TAGS, rng.randint(0, 3)), phase=rng.choice(PHASES),
            date=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 10**6)),
            visibility="members" if rng.random() < 0.1 else "public",
        )

    def documents(self):
        for number in range(1, self.n + 1):
            yield self.document(number)


def _accumulate(weights):
    total = 0.0
    for weight in weights:
        total += weight
        yield total


def _sentences(words: list[str], rng) -> str:
    out, sentence = [], []
    for word in words:
        sentence.append(word)
        if len(sentence) >= rng.randint(8, 16):
            out.append(" ".join(sentence).capitalize() + ".")
            sentence = []
    if sentence:
        out.append(" ".join(sentence).capitalize() + ".")
    return " ".join(out)


# ------------------------------------------------------------------------------------ index

def build_whoosh(corpus: Corpus, root: Path, procs: int) -> tuple[float, list[SearchDocument]]:
    """Index the corpus with the code `kennisnet search rebuild` uses; returns
    (items per second, documents)."""
    from kennisnet.search.indexer import build_generation
    from kennisnet.search.store import activate

    documents = list(corpus.documents())
    started, cpu_before = time.perf_counter(), os.times()
    name, _count = build_generation(root, documents, procs)
    activate(root, name)
    elapsed, cpu_after = time.perf_counter() - started, os.times()
    own = cpu_after.user + cpu_after.system - cpu_before.user - cpu_before.system
    children = (cpu_after.children_user + cpu_after.children_system
                - cpu_before.children_user - cpu_before.children_system)
    print(f"index build CPU:      {own:8.1f} s in this process + {children:.1f} s in writer "
          f"processes = {(own + children) / corpus.n * 1000:.2f} ms per item; "
          f"load average {os.getloadavg()[0]:.1f}")
    return corpus.n / elapsed, documents


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------------------------- queries

def query_sets(corpus: Corpus, documents: list[SearchDocument], count: int) -> dict:
    rng = random.Random(SEED + 1)
    pool = [w for w in corpus.words[100:5000] if len(w) >= 4 and w.isalpha()]
    one = [rng.choice(pool) for _ in range(count)]
    two = [f"{rng.choice(pool)} {rng.choice(pool[:1500])}" for _ in range(count)]
    phrases = [_phrase_from(rng.choice(documents), rng) for _ in range(count)]
    misspelled = [_misspell(rng.choice([w for w in pool if len(w) >= 7]), rng)
                  for _ in range(count)]
    return {"one word": one, "two words": two, "phrase": phrases, "misspelled": misspelled}


def _phrase_from(document: SearchDocument, rng) -> str:
    words = [w for w in re.findall(r"\w+", document.body.lower()) if len(w) > 3]
    start = rng.randrange(max(1, len(words) - 2))
    return '"' + " ".join(words[start:start + 2]) + '"'


def _misspell(word: str, rng) -> str:
    position = rng.randrange(1, len(word) - 1)
    return word[:position] + word[position + 1:]  # one letter dropped


def time_whoosh(queries: list[str]) -> list[float]:
    from kennisnet.search.engine import SearchRequest, run_search

    def everything(keys):
        return set(keys)

    timings = []
    for text in queries:
        started = time.perf_counter()
        run_search(SearchRequest(text=text), everything)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


# ------------------------------------------------------------------------------------ FTS5

def build_fts(documents: list[SearchDocument], path: Path) -> tuple[sqlite3.Connection, float]:
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE VIRTUAL TABLE doc USING fts5(title, body, kind UNINDEXED, province UNINDEXED,"
        " tokenize = 'unicode61 remove_diacritics 2')")
    started = time.perf_counter()
    connection.executemany("INSERT INTO doc(rowid, title, body, kind, province) VALUES (?,?,?,?,?)",
                           ((d.id, d.title, d.body, d.kind, d.province) for d in documents))
    connection.commit()
    return connection, len(documents) / (time.perf_counter() - started)


def fts_query(text: str) -> str:
    if text.startswith('"'):
        return text
    return " ".join('"' + word.replace('"', "") + '"' for word in text.split())


def time_fts(connection: sqlite3.Connection, queries: list[str]) -> list[float]:
    timings = []
    for text in queries:
        match = fts_query(text)
        started = time.perf_counter()
        connection.execute(
            "SELECT rowid, title, snippet(doc, 1, '<mark>', '</mark>', '…', 24)"
            " FROM doc WHERE doc MATCH ? ORDER BY bm25(doc, 3.0, 1.0) LIMIT 10",
            (match,)).fetchall()
        connection.execute("SELECT kind, count(*) FROM doc WHERE doc MATCH ? GROUP BY kind",
                           (match,)).fetchall()
        connection.execute("SELECT province, count(*) FROM doc WHERE doc MATCH ? GROUP BY province",
                           (match,)).fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


# --------------------------------------------------------------------- commit to searchable

def commit_to_searchable(app, samples: int = 5) -> list[float]:
    """A Tip committed through the ORM (outbox row), a real worker thread, poll until found."""
    from kennisnet.extensions import db
    from kennisnet.search.engine import SearchRequest, run_search
    from kennisnet.search.worker import run_worker
    from kennisnet.tips.models import Tip

    stop = threading.Event()

    def work():
        with app.app_context():
            run_worker(stop)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    latencies = []
    run = int(time.time())
    try:
        for n in range(samples):
            word = f"benchmarkwoord{run}x{n}"
            db.session.add(Tip(slug=f"bench-{run}-{n}", number=n, phase="start",
                               title=f"Nieuw {word}"))
            db.session.commit()
            committed = time.perf_counter()
            while not run_search(SearchRequest(text=word), lambda keys: set(keys)).total:
                if time.perf_counter() - committed > 30:
                    raise RuntimeError("new item not searchable within 30 s")
                time.sleep(0.01)
            latencies.append(time.perf_counter() - committed)
            time.sleep(0.3)
    finally:
        stop.set()
        thread.join(timeout=30)
    return latencies


# ----------------------------------------------------------------------------------- report

def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", help="use (and keep) this folder instead of a temporary one")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: search the index and FTS5 table built by an earlier run")
    args = parser.parse_args()

    # Absolute: the SQLite URL and the index folder are used from other working directories.
    work = Path(args.keep).resolve() if args.keep else Path(
        tempfile.mkdtemp(prefix="kennisnet-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(args, work: Path) -> None:
    from kennisnet import create_app
    from kennisnet.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "bench-" + "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'bench.sqlite3'}",
                      "SEARCH_INDEX_DIR": str(work / "index")})
    print(f"kennisnet search benchmark: N = {args.n:,}, {os.cpu_count()} cores, "
          f"writer processes = {args.procs}")
    corpus = Corpus(args.n)
    with app.app_context():
        db.create_all()
        if args.reuse:
            documents = list(corpus.documents())
        else:
            rate, documents = build_whoosh(corpus, work / "index", args.procs)
            print(f"index build:          {rate:8.0f} items/s   (target >= 1,500)")
        index_mb = folder_size(work / "index") / 2**20
        per_item = index_mb * 2**20 / args.n
        print(f"index size:           {index_mb:8.1f} MiB   ({per_item:.0f} bytes/item)")
        queries = query_sets(corpus, documents, args.queries)
        time_whoosh(queries["one word"][:20])  # open the searcher, warm the caches
        # ... but not the remembered rankings: those 20 are measured again below.
        from kennisnet.search import engine

        engine._RANKINGS.clear()
        whoosh = {kind: time_whoosh(texts) for kind, texts in queries.items()}
        if args.reuse:
            connection = sqlite3.connect(work / "fts.sqlite3")
        else:
            (work / "fts.sqlite3").unlink(missing_ok=True)
            connection, fts_rate = build_fts(documents, work / "fts.sqlite3")
            print(f"FTS5 build:           {fts_rate:8.0f} items/s")
        del documents
        fts = {kind: time_fts(connection, texts) for kind, texts in queries.items()}
        print()
        print_table(whoosh, fts)
        latencies = commit_to_searchable(app)
        print()
        print(f"commit -> searchable: median {statistics.median(latencies):.2f} s, "
              f"max {max(latencies):.2f} s over {len(latencies)} items (target <= 2 s)")


def print_table(whoosh: dict, fts: dict) -> None:
    targets = {"one word": "p50<=20 p95<=60", "two words": "p50<=20 p95<=60",
               "phrase": "p95<=100", "misspelled": "-"}
    print(f"{'full search (ms)':<16} {'whoosh p50':>10} {'p95':>7} {'FTS5 p50':>9} {'p95':>6} "
          f"{'ratio p50':>9}  target")
    for kind, timings in whoosh.items():
        w50, w95 = percentile(timings, 50), percentile(timings, 95)
        f50, f95 = percentile(fts[kind], 50), percentile(fts[kind], 95)
        print(f"{kind:<16} {w50:10.1f} {w95:7.1f} {f50:9.2f} {f95:6.2f} {w50 / f50:9.1f}  "
              f"{targets[kind]}")


if __name__ == "__main__":
    main()
