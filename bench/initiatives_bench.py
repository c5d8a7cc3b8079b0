"""Benchmark: the filtered GeoJSON with 5,000 initiatives, and the map page's transfer size.

    .venv/bin/python bench/initiatives_bench.py [--count 5000] [--database-url URL]

Targets from issue 7: filtered GeoJSON under 100 ms; the map page's first paint under 150 KB of
compressed transfer (scripts, styles and data together). Sizes are gzip level 6, as a reverse
proxy would send them. Runs on a throwaway SQLite file unless --database-url is given.
"""

import argparse
import gzip
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kennisnet import create_app  # noqa: E402
from kennisnet.extensions import db  # noqa: E402
from kennisnet.initiatives.models import Initiative, InitiativeService  # noqa: E402
from kennisnet.initiatives.services import slugify  # noqa: E402
from kennisnet.vocab import INITIATIVE_KINDS, LEGAL_FORMS, PROVINCES, SERVICES  # noqa: E402

SYLLABLES = ["hoog", "laar", "beek", "dorp", "wijk", "zand", "veen", "broek", "horst", "loon",
             "meer", "wold", "dam", "kerk", "hout", "berg", "rade", "hem", "sum", "ter"]
FILTERED = ("/initiatieven.geojson?provincie=noord-brabant&soort=zorgcooperatie"
            "&status=actief&dienst=vervoer")


def _place(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _facts(rng: random.Random, forms: list, provinces: list, place: str) -> dict:
    """The columns an initiative's map entry and filters use, drawn in a fixed order."""
    return {
        "legal_form": rng.choice(forms),
        "status": rng.choice(["actief"] * 8 + ["in_oprichting", "gestopt"]),
        "place": place, "municipality": place, "province": rng.choice(provinces),
        "latitude": round(rng.uniform(50.8, 53.4), 5),
        "longitude": round(rng.uniform(3.6, 7.1), 5),
        "founded_year": rng.randint(1995, 2026), "is_approved": True,
    }


def fill(count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    kinds, forms, provinces = list(INITIATIVE_KINDS), list(LEGAL_FORMS), list(PROVINCES)
    services = list(SERVICES)
    rows, links, slugs = [], [], set()
    for n in range(1, count + 1):
        place = _place(rng)
        kind = rng.choice(kinds)
        name = f"{kind.capitalize()} {place}"
        # Slugs as registration makes them: from the name, numbered only when taken.
        slug, suffix = slugify(name), 1
        while slug in slugs:
            suffix += 1
            slug = f"{slugify(name)}-{suffix}"
        slugs.add(slug)
        rows.append({
            "id": n, "type": "initiative", "slug": slug, "name": name,
            "description": "Bewoners helpen elkaar.", "website": "", "contact_email": "",
            "kind": kind, **_facts(rng, forms, provinces, place),
        })
        links += [{"initiative_id": n, "service": s} for s in rng.sample(services, 3)]
    db.session.execute(Initiative.__table__.insert(), rows)
    db.session.execute(InitiativeService.__table__.insert(), links)
    db.session.commit()


def timed_get(client, url: str, runs: int) -> tuple[float, float, int]:
    """Median and 95th percentile in ms, and the body size, for GET url."""
    client.get(url)  # warm caches and the connection pool
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    size = len(response.data)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], size


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def page_transfer(client, path: str) -> dict[str, int]:
    """Compressed bytes of a page and every style, script and image it links to."""
    html = client.get(path).data
    sizes = {path: gz(html)}
    for asset in re.findall(rb'"(/static/[^"]+\.(?:css|js))"', html):
        response = client.get(asset.decode())
        sizes[asset.decode()] = gz(response.data)
        response.close()
    for extra in ("/static/geo/nederland.geojson", "/static/vendor/leaflet/images/marker-icon.png",
                  "/static/vendor/leaflet/images/marker-shadow.png"):
        response = client.get(extra)
        sizes[extra] = gz(response.data)
        response.close()
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kennisnet-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "SEARCH_INDEX_DIR": f"{folder}/index"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        fill(args.count)
        client = app.test_client()
        print(f"{args.count} initiatives on {db.engine.dialect.name}")
        for label, path in (("filtered GeoJSON", FILTERED),
                            ("province GeoJSON", "/initiatieven.geojson?provincie=utrecht"),
                            ("all GeoJSON", "/initiatieven.geojson"),
                            ("all, map fields", "/initiatieven.geojson?velden=kaart"),
                            ("directory page", "/initiatieven?provincie=utrecht"),
                            ("API page", "/api/v1/initiatives?provincie=utrecht&per_page=100")):
            median, p95, size = timed_get(client, path, args.runs)
            print(f"  {label:18} median {median:6.1f} ms  p95 {p95:6.1f} ms  "
                  f"{size / 1024:7.1f} KB raw")
        sizes = page_transfer(client, "/initiatieven")
        first_paint = sum(sizes.values())
        print("  map page, gzip:")
        for name, size in sizes.items():
            print(f"    {size / 1024:6.1f} KB  {name}")
        print(f"  first paint (page, styles, scripts, outline, marker): "
              f"{first_paint / 1024:.1f} KB")
        for label, path in (("filtered", FILTERED + "&velden=kaart"),
                            ("one province",
                             "/initiatieven.geojson?velden=kaart&provincie=utrecht"),
                            ("all (what the map loads)", "/initiatieven.geojson?velden=kaart"),
                            ("all, every field", "/initiatieven.geojson")):
            data = gz(client.get(path).data)
            print(f"  + {label} GeoJSON data: {data / 1024:.1f} KB -> "
                  f"{(first_paint + data) / 1024:.1f} KB with the markers")
        db.session.remove()  # its open transaction would block DROP TABLE on PostgreSQL
        db.drop_all()


if __name__ == "__main__":
    main()
