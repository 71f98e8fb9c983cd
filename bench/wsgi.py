"""The app as the benchmark serves it: `gunicorn -c gunicorn.conf.py bench.wsgi:app`.

DATABASE_URL names the benchmark database; bench.settings.OVERRIDES says what differs
from production and why.
"""

import os

from bench.settings import make_app

app = make_app(os.environ["DATABASE_URL"])
