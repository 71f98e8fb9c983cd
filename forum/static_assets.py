"""Our CSS, JS and icons: addressed by their content, so browsers keep them for a year.

Every `url_for("static", ...)` gets `?v=` and the first hex digits of the file's SHA-256.
A request carrying the current digest is answered as immutable for a year; a changed file
gets a new address, so nobody keeps an old copy. Without it (or with an old digest) the
file is revalidated each time, as before.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request
from flask.wrappers import Response

ONE_YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    app.url_defaults(_add_version)
    app.after_request(_cache_versioned_file)


def static_version(filename: str) -> str | None:
    """The digest in a static file's address; None when there is no such file."""
    return _digest(current_app.static_folder, filename)


@lru_cache(maxsize=64)
def _digest(folder: str, filename: str) -> str | None:
    path = Path(folder, filename).resolve()
    if not path.is_relative_to(Path(folder).resolve()) or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = static_version(values["filename"])
        if version:
            values["v"] = version


def _cache_versioned_file(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    version = request.args.get("v")
    if version and version == static_version(filename):
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    return response
