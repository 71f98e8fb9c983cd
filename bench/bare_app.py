"""A bare Flask app rendering a static page of the size of ours, and taking the least a
vote can be in Flask (a form read, a session cookie written, a redirect): the yardsticks.

`gunicorn -c gunicorn.conf.py bench.bare_app:app` with BENCH_BARE_PAGE naming a file that
holds the HTML of our article page, fetched just before.
"""

import os
from pathlib import Path

from flask import Flask, redirect, request, session

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


@app.get("/healthz")
def health():
    return {"status": "ok"}
