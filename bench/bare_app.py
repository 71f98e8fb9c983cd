"""A bare Flask app rendering a static page of the size of ours, and taking the least a
vote can be in Flask (a form read, a session cookie written, a redirect): the yardsticks.
With BENCH_BARE_DATABASE_URL (PostgreSQL), `/vote-db` also writes the ballot's rows in one
autocommitted upsert through psycopg: the least a recorded vote can be on this machine.

`gunicorn -c gunicorn.conf.py bench.bare_app:app` with BENCH_BARE_PAGE naming a file that
holds the HTML of our article page, fetched just before.
"""

import os
import secrets
from pathlib import Path

from flask import Flask, redirect, request, session

from bench.bare_schema import BARE_VOTES_TABLE

_UPSERT = f"""
INSERT INTO {BARE_VOTES_TABLE} (question_id, reader_hash, choice_id, created_at)
SELECT question_id, %(reader)s, choice_id, now()
FROM unnest(%(questions)s::integer[], %(choices)s::integer[]) AS s(question_id, choice_id)
ON CONFLICT (question_id, reader_hash) DO UPDATE SET choice_id = excluded.choice_id
"""

PAGE = Path(os.environ["BENCH_BARE_PAGE"]).read_text(encoding="utf-8")

app = Flask(__name__)
app.secret_key = os.environ.get("BENCH_BARE_SECRET", "bare-app-secret-for-the-benchmark-only")
# Compiled once, as our templates are.
TEMPLATE = app.jinja_env.from_string("{{ page|safe }}")


@app.get("/")
def page():
    return TEMPLATE.render(page=PAGE)


@app.post("/vote")
def vote():
    session["answers"] = sorted(request.form.items())
    return redirect("/#sondage")


_connection = None


def _database():
    # Connected on first use, in the worker: a connection cannot cross gunicorn's fork.
    global _connection
    if _connection is None:
        import psycopg

        _connection = psycopg.connect(os.environ["BENCH_BARE_DATABASE_URL"], autocommit=True)
    return _connection


@app.post("/vote-db")
def vote_with_its_rows():
    answers = sorted(
        (int(name[2:]), int(value)) for name, value in request.form.items() if name.startswith("q_")
    )
    _database().execute(
        _UPSERT,
        {
            "reader": secrets.token_hex(32),
            "questions": [q for q, _ in answers],
            "choices": [c for _, c in answers],
        },
    )
    session["answers"] = answers
    return redirect("/#sondage")


@app.get("/healthz")
def health():
    return {"status": "ok"}
