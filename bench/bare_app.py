"""A bare Flask app rendering a static page of the size of ours: the yardstick.

`gunicorn -c gunicorn.conf.py bench.bare_app:app` with BENCH_BARE_PAGE naming a file that
holds the HTML of our article page, fetched just before.
"""

import os
from pathlib import Path

from flask import Flask

PAGE = Path(os.environ["BENCH_BARE_PAGE"]).read_text(encoding="utf-8")

app = Flask(__name__)
# Compiled once, as our templates are.
TEMPLATE = app.jinja_env.from_string("{{ page|safe }}")


@app.get("/")
def page():
    return TEMPLATE.render(page=PAGE)


@app.get("/healthz")
def health():
    return {"status": "ok"}
