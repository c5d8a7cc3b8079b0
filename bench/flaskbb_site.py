"""FlaskBB 2.2.0 beside kennisnet, for `bench/pages.py --vs-flaskbb`.

    .venv/bin/python bench/flaskbb_site.py      # set it up (once) and print how it is served

FlaskBB needs Python >= 3.12, so it lives in its own virtual environment,
.bench/flaskbb-venv (created once with python3.12; `pip install flaskbb==2.2.0 gunicorn` needs
the network the first time), never in kennisnet's. Its instance is built once under
.bench/flaskbb/: a hand-written config (SQLite, Whoosh index on disk, no Redis, Celery tasks run
eagerly in-process so nothing connects anywhere), `flaskbb install` run non-interactively, then
forum content in Dutch-like text drawn from bench/search.py's vocabulary: 50 members, one
category with four forums, 601 topics with 4,000 posts in all, one of them the measured topic
with exactly 20 posts (posts per page set to 20, so one page shows them all), beside the
welcome topic `install` makes. The posts are written
through FlaskBB's own models with indexing off, then indexed in one pass with
`whooshee.reindex()`, which is the index FlaskBB keeps up to date as members post.

FlaskBB's search is a form a visitor posts: GET /search gives a session cookie and a CSRF
token, then POST /search with search_query and search_types. The visitor here searches posts
only, FlaskBB's cheapest choice, and FlaskBB renders every hit (it has no result pages), so the
queries (two words: a topic word and a common word, drawn as pages.py draws ours) are kept
only when they match 10 to 30 posts, about a page of results as ours shows.

Everything here but `_fill` runs in kennisnet's venv and uses only the standard library;
`_fill` runs in FlaskBB's venv (`python flaskbb_site.py _fill`).
"""

import glob
import html
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".bench" / "flaskbb-venv"
HOME = ROOT / ".bench" / "flaskbb"
VERSION = "2.2.0"
LAYOUT = 1  # bump when the instance's content changes: the cached one is rebuilt
MEMBERS, TOPICS, POSTS, TOPIC_POSTS = 50, 600, 4_000, 20
QUERY_HITS = (10, 30)
QUERIES = 10

CONFIG = '''\
import os
from flaskbb.configs.default import DefaultConfig

HOME = {home!r}
DEBUG = False
TESTING = False
SECRET_KEY = {secret!r}
WTF_CSRF_SECRET_KEY = {csrf_secret!r}
SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(HOME, "flaskbb.sqlite")
WHOOSHEE_DIR = os.path.join(HOME, "whoosh_index")
WHOOSHEE_MIN_STRING_LEN = 3
# FlaskBB's default logging writes into site-packages; gunicorn's log is enough here.
USE_DEFAULT_LOGGING = False
REDIS_ENABLED = False
RATELIMIT_STORAGE_URI = "memory://"
CACHE_TYPE = "SimpleCache"
# No broker: the few tasks FlaskBB queues (mail) run in-process; none runs on a page view.
CELERY_CONFIG = {{"broker_url": "memory://", "result_backend": "cache+memory://",
                  "task_always_eager": True}}
MAIL_SERVER = "127.0.0.1"
'''


@dataclass
class Site:
    gunicorn: Path
    app: str
    chdir: Path
    env: dict
    topic_path: str
    queries: list[dict]  # {"query": ..., "hits": ...}
    manifest: dict


def python312() -> str:
    """A Python >= 3.12 that runs (pyenv's shim for python3.12 is found on PATH but may refuse
    to run when 3.12 is not the selected version)."""
    candidates = [shutil.which("python3.12"), shutil.which("python3.13"),
                  *sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.1[2-9]*/bin/python3")))]
    for candidate in filter(None, candidates):
        check = subprocess.run([candidate, "-c", "import sys; assert sys.version_info >= (3, 12)"],
                               capture_output=True)
        if check.returncode == 0:
            return candidate
    sys.exit("--vs-flaskbb needs Python 3.12 or newer (FlaskBB 2.2.0 requires it); "
             "none found as python3.12, python3.13 or under ~/.pyenv/versions.")


def ensure_venv() -> None:
    marker = VENV / f"flaskbb-{VERSION}.installed"
    if marker.exists():
        return
    shutil.rmtree(VENV, ignore_errors=True)
    print(f"creating {VENV.relative_to(ROOT)} with FlaskBB {VERSION} (needs the network once)",
          flush=True)
    subprocess.run([python312(), "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", f"flaskbb=={VERSION}",
                    "gunicorn"], check=True)
    defer_annotations()
    marker.touch()


# FlaskBB 2.2.0 declares Python >= 3.12 but annotates with names it imports only for type
# checkers (`if TYPE_CHECKING:`), which only Python 3.14's deferred annotations tolerate: on
# 3.12 and 3.13 `import flaskbb` fails with "NameError: name 'Distribution' is not defined".
# These modules get `from __future__ import annotations`, which keeps every annotation as text
# and changes nothing else; the list is what importing the app and serving it needed.
DEFERRED = ("plugins/manager.py", "utils/database.py", "utils/helpers.py", "forum/models.py",
            "auth/services/authentication.py", "auth/services/registration.py",
            "auth/views.py")
FUTURE = "from __future__ import annotations  # added by kennisnet's bench/flaskbb_site.py\n"


def defer_annotations() -> None:
    import ast

    package = next((VENV / "lib").glob("python3.*/site-packages/flaskbb"))
    for name in DEFERRED:
        path = package / name
        source = path.read_text()
        if FUTURE in source:
            continue
        first = ast.parse(source).body[0]
        docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
        lines = source.splitlines(True)
        lines.insert(first.end_lineno if docstring else 0, FUTURE)
        path.write_text("".join(lines))
        for cached in (path.parent / "__pycache__").glob(path.stem + ".*.pyc"):
            cached.unlink()


def ensure_instance() -> dict:
    manifest_file = HOME / "manifest.json"
    if manifest_file.exists():
        manifest = json.loads(manifest_file.read_text())
        if manifest.get("layout") == LAYOUT:
            return manifest
    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)
    print(f"building the FlaskBB instance in {HOME.relative_to(ROOT)}", flush=True)
    (HOME / "flaskbb.cfg").write_text(CONFIG.format(
        home=str(HOME), secret=secrets.token_urlsafe(48), csrf_secret=secrets.token_urlsafe(48)))
    (HOME / "corpus.json").write_text(json.dumps(corpus()))
    flaskbb = [str(VENV / "bin" / "flaskbb"), "--config", str(HOME / "flaskbb.cfg"),
               "--instance", str(HOME)]
    # `install` runs pybabel from the venv, as an activated venv would find it.
    subprocess.run([*flaskbb, "install", "--force", "--username", "beheerder", "--email",
                    "beheerder@example.org", "--password", secrets.token_urlsafe(16)],
                   check=True, cwd=HOME, env=venv_env(), stdout=subprocess.DEVNULL)
    subprocess.run([str(VENV / "bin" / "python"), __file__, "_fill"], check=True, cwd=HOME,
                   env=venv_env())
    manifest = json.loads(manifest_file.read_text())
    (HOME / "corpus.json").unlink()
    return manifest


def corpus() -> dict:
    """Titles, posts and candidate queries in the Dutch-like text bench/search.py draws
    (it needs kennisnet, so it runs here, not in FlaskBB's venv)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from search import Corpus

    words = Corpus(0)
    rng = random.Random(8)

    def text(low: int, high: int) -> str:
        body = words.draw(rng.randint(low, high))
        return ". ".join(" ".join(body[i:i + 12]).capitalize()
                         for i in range(0, len(body), 12)) + "."

    def title() -> str:
        return " ".join(rng.choice(words.content_words)
                        for _ in range(rng.randint(3, 7))).capitalize()

    # Every topic has a first post; the other posts are spread over the topics at random.
    replies = [0] * TOPICS
    for _ in range(POSTS - TOPICS - TOPIC_POSTS):
        replies[rng.randrange(TOPICS)] += 1
    topics = [{"title": title(), "posts": [text(30, 90) for _ in range(1 + extra)]}
              for extra in replies]
    measured = {"title": "Vervoer naar de huisarts regelen met vrijwilligers",
                "posts": [text(40, 120) for _ in range(TOPIC_POSTS)]}
    pool = [w for w in words.words[100:5000] if len(w) >= 4 and w.isalpha()]
    queries = [f"{rng.choice(pool)} {rng.choice(pool[:1500])}" for _ in range(400)]
    return {"topics": topics, "measured": measured, "queries": queries}


def venv_env() -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("KENNISNET_", "FLASKBB_", "VIRTUAL_ENV"))}
    return {**env, "PATH": f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"}


def ensure() -> Site:
    """FlaskBB's venv and instance (built once), and how to serve them."""
    ensure_venv()
    manifest = ensure_instance()
    config = HOME / "flaskbb.cfg"
    return Site(gunicorn=VENV / "bin" / "gunicorn",
                app=f"flaskbb:create_app(config={str(config)!r}, instance_path={str(HOME)!r})",
                chdir=HOME,
                env=venv_env(),
                topic_path=f"/topic/{manifest['topic_id']}", queries=manifest["queries"],
                manifest=manifest)


# ------------------------------------------------------------------- a visitor's search

def search_session(base: str) -> tuple[str, str]:
    """(Cookie header, CSRF token) as a visitor's browser has them after opening /search."""
    with urllib.request.urlopen(base + "/search", timeout=30) as response:  # noqa: S310
        page = response.read().decode()
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return f"Cookie: {cookie}", html.unescape(token)


def search_body(token: str, query: str) -> str:
    return urlencode({"csrf_token": token, "search_types": "post", "search_query": query,
                      "submit": "Search"})


def search_hits(base: str, cookie: str, body: str) -> int:
    """Posts on FlaskBB's results page for one posted search; fails if the form was refused
    (a refused form is answered 200 with the form again, which wrk would count as a page)."""
    name, value = cookie.split(": ", 1)
    request = urllib.request.Request(base + "/search", data=body.encode(),  # noqa: S310
                                     headers={name: value})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        page = response.read().decode()
    hits = post_rows(page)
    if not hits:
        raise RuntimeError("FlaskBB's search answered without results: " + page[:300])
    return hits


def topic_posts(base: str, path: str) -> int:
    with urllib.request.urlopen(base + path, timeout=60) as response:  # noqa: S310
        return post_rows(response.read().decode())


def post_rows(page: str) -> int:
    """Posts on a FlaskBB page: the topic's and the search results' rows."""
    return len(re.findall(r'class="row post-row[ "]', page))


# ------------------------------------------------------------------ in FlaskBB's venv

def _fill() -> None:
    """Members, forums, topics and posts through FlaskBB's models; then the index."""
    os.environ["FLASKBB_WHOOSHEE_ENABLE_INDEXING"] = "False"  # one reindex() at the end
    from flaskbb import create_app
    from flaskbb.extensions import db
    from flaskbb.forum.models import Category, Forum, Post, Topic
    from flaskbb.management.models import Setting
    from flaskbb.user.models import Group, User
    from sqlalchemy import text

    data = json.loads((HOME / "corpus.json").read_text())
    rng = random.Random(9)
    app = create_app(config=str(HOME / "flaskbb.cfg"), instance_path=str(HOME))
    with app.app_context():
        db.session.execute(text("PRAGMA synchronous = OFF"))  # a throwaway bench instance
        Setting.update({"posts_per_page": TOPIC_POSTS})
        member = db.session.execute(db.select(Group).filter_by(name="Member")).scalar_one()
        users = []
        for number in range(1, MEMBERS + 1):
            user = User(username=f"lid{number}", email=f"lid{number}@example.org",
                        password=secrets.token_urlsafe(12), activated=True,
                        primary_group=member)
            user.save()
            users.append(user)
        category = Category(title="Zorg in het dorp", position=2)
        category.save()
        forums = []
        for position, name in enumerate(("Vervoer", "Maaltijden", "Bestuur", "Vrijwilligers")):
            forum = Forum(title=name, description=f"Vragen over {name.lower()}",
                          category_id=category.id, position=position)
            forum.save()
            forums.append(forum)
        topic_id = None
        for number, item in enumerate(data["topics"] + [data["measured"]]):
            topic = Topic(title=item["title"])
            topic.save(user=rng.choice(users), forum=rng.choice(forums),
                       post=Post(content=item["posts"][0]))
            for content in item["posts"][1:]:
                Post(content=content).save(user=rng.choice(users), topic=topic)
            topic_id = topic.id
            if number % 100 == 0:
                print(f"  {number} topics", flush=True)
        app.extensions["whooshee"]["enable_indexing"] = True
        from flaskbb.extensions import whooshee

        whooshee.reindex()
        queries = []
        for query in data["queries"]:
            hits = Post.query.whooshee_search(query).count()
            if QUERY_HITS[0] <= hits <= QUERY_HITS[1]:
                queries.append({"query": query, "hits": hits})
            if len(queries) == QUERIES:
                break
        counts = {"members": db.session.scalar(db.select(db.func.count()).select_from(User)),
                  "topics": db.session.scalar(db.select(db.func.count()).select_from(Topic)),
                  "posts": db.session.scalar(db.select(db.func.count()).select_from(Post))}
        topic_posts = db.session.get(Topic, topic_id).post_count
    assert topic_posts == TOPIC_POSTS, topic_posts
    assert len(queries) == QUERIES, queries
    (HOME / "manifest.json").write_text(json.dumps(
        {"layout": LAYOUT, "version": VERSION, "topic_id": topic_id, "topic_posts": topic_posts,
         "queries": queries, **counts}, indent=1))


if __name__ == "__main__":
    if sys.argv[1:] == ["_fill"]:
        _fill()
    else:
        site = ensure()
        print(json.dumps({"gunicorn": str(site.gunicorn), "app": site.app,
                          "chdir": str(site.chdir), "topic": site.topic_path,
                          "queries": site.queries, "manifest": site.manifest}, indent=1))
