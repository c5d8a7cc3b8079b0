"""Question page benchmark: one question with 100 answers (each with votes and an author).

    .venv/bin/python bench/forum.py            # SQLite in a temporary folder
    KENNISNET_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/forum.py

Prints the median and worst server time of GET /forum/vraag/<id> through Flask (logged in, so
vote and accept buttons are rendered too), the SQL query count for 1, 10 and 100 answers (it must
not grow), and a bare Flask page measured in the same run for the ratio.
"""

import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import Flask  # noqa: E402
from sqlalchemy import event  # noqa: E402

from kennisnet import create_app  # noqa: E402
from kennisnet.accounts.models import User  # noqa: E402
from kennisnet.extensions import db  # noqa: E402
from kennisnet.forum.models import Answer, ForumTag, Question, Vote  # noqa: E402

ANSWERS, VOTERS, RUNS, BUDGET_MS = 100, 10, 40, 30.0


def make_users(count: int) -> list[User]:
    users = [User(email=f"lid{n}@example.nl", password_hash="x", display_name=f"Lid {n}")
             for n in range(count)]
    db.session.add_all(users)
    db.session.flush()
    return users


def make_question(asker: User, authors: list[User], voters: list[User], answers: int) -> int:
    tags = [ForumTag(slug=f"tag-{answers}-{n}", name=f"Onderwerp {n}") for n in range(3)]
    question = Question(title=f"Vraag met {answers} antwoorden", author_id=asker.id, tags=tags)
    question.set_body("Hoe pakken jullie **vervoer** aan? Zie [de gids](https://example.org).")
    db.session.add(question)
    db.session.flush()
    for n in range(answers):
        answer = Answer(question_id=question.id, author_id=authors[n % len(authors)].id,
                        is_accepted=n == answers // 2, vote_count=n % VOTERS)
        answer.set_body(f"Antwoord {n}: wij doen het **zo**, met *vrijwilligers* en een lijst:\n"
                        "\n- bellen\n- rijden\n- terugbrengen\n")
        db.session.add(answer)
        db.session.flush()
        db.session.add_all(Vote(answer_id=answer.id, user_id=voter.id)
                           for voter in voters[: n % VOTERS])
    db.session.commit()
    return question.id


def log_in(client, user: User) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def timed(client, path: str, runs: int = RUNS) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per request. On a shared, loaded machine the CPU time
    is the steadier figure: wall time then also counts the time other processes had the CPU."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return wall, cpu


def query_count(client, path: str) -> int:
    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def bare_app() -> Flask:
    bare = Flask("bare")

    @bare.route("/")
    def hello():
        return "<!doctype html><title>x</title><h1>Hallo</h1>"

    return bare


def main() -> int:
    folder = tempfile.mkdtemp(prefix="forum-bench-")
    url = os.environ.get("KENNISNET_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": f"{folder}/index",
                      "MAIL_OUTBOX_DIR": f"{folder}/mail", "WTF_CSRF_ENABLED": True})
    with app.app_context():
        db.drop_all()
        db.create_all()
        users = make_users(40)
        asker, authors, voters = users[0], users[1:30], users[30:]
        ids = {n: make_question(asker, authors, voters, n) for n in (1, 10, ANSWERS)}
        client = app.test_client()
        log_in(client, voters[0])
        counts = {n: query_count(client, f"/forum/vraag/{ids[n]}") for n in ids}
        timed(client, f"/forum/vraag/{ids[ANSWERS]}", runs=3)  # warm caches and templates
        page, page_cpu = timed(client, f"/forum/vraag/{ids[ANSWERS]}")
        bare, bare_cpu = timed(bare_app().test_client(), "/", runs=RUNS * 5)
        db.session.remove()  # end the read transaction, or PostgreSQL's DROP waits on its locks
        db.drop_all()
    median, worst, cpu = statistics.median(page), max(page), statistics.median(page_cpu)
    bare_median, bare_cpu_median = statistics.median(bare), statistics.median(bare_cpu)
    print(f"database: {url.split(':')[0]}; load average {os.getloadavg()[0]:.1f}")
    print(f"queries per question page by answer count: {counts}")
    print(f"question page, {ANSWERS} answers ({RUNS} runs): wall median {median:.1f} ms, "
          f"worst {worst:.1f} ms; CPU median {cpu:.1f} ms (budget {BUDGET_MS:.0f} ms)")
    print(f"bare Flask page: wall median {bare_median:.3f} ms, CPU median "
          f"{bare_cpu_median:.3f} ms; ratio {median / bare_median:.0f}x wall, "
          f"{cpu / max(bare_cpu_median, 0.001):.0f}x CPU")
    fixed = len(set(counts.values())) == 1
    print("query count fixed: " + ("yes" if fixed else "NO"))
    return 0 if fixed and min(median, cpu) < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
