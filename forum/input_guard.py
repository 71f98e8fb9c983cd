"""Refuse requests whose path, query or form carry NUL bytes or bytes that are not UTF-8.

Werkzeug decodes URLs and form bodies with errors="replace", so undecodable input would reach
the views as U+FFFD and be stored silently; PostgreSQL refuses NUL in text outright (a 500).
Both are refused here, before any view, with the styled 400 page.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from flask_babel import lazy_gettext as _l

INVALID_INPUT = _l(
    "La demande contient des caractères non valides (octet nul ou encodage incorrect). "
    "Vérifiez le texte saisi et réessayez."
)
FORM_URLENCODED = "application/x-www-form-urlencoded"


def init_app(app: Flask) -> None:
    app.before_request(refuse_invalid_input)


def refuse_invalid_input() -> None:
    if not (_path_is_clean() and _query_is_clean() and _form_is_clean()):
        abort(400, description=INVALID_INPUT)


def _path_is_clean() -> bool:
    # PATH_INFO holds the raw bytes as latin-1 (PEP 3333).
    return _is_clean_text(request.environ.get("PATH_INFO", "").encode("latin-1", "replace"))


def _query_is_clean() -> bool:
    return _urlencoded_is_clean(request.query_string)


def _form_is_clean() -> bool:
    if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
        return True
    if request.mimetype == FORM_URLENCODED:
        # Cached: request.form parses these same bytes afterwards.
        return _urlencoded_is_clean(request.get_data(cache=True))
    if request.mimetype == "multipart/form-data":
        # Already decoded with errors="replace": a U+FFFD stands for bytes that were not UTF-8.
        texts = [text for pair in request.form.items(multi=True) for text in pair]
        return all("\x00" not in text and "\ufffd" not in text for text in texts)
    return True


def _urlencoded_is_clean(raw: bytes) -> bool:
    """Decode a query string or form body strictly, its keys and values at once.

    As strict as decoding each key and value: a UTF-8 sequence holds no ASCII byte, so one
    cut by a raw "&" or "=" is refused either way. Without escapes, there is nothing to
    unquote.
    """
    if b"%" not in raw:
        return _is_clean_text(raw)
    return _is_clean_text(unquote_to_bytes(raw))


def _is_clean_text(raw: bytes) -> bool:
    try:
        return "\x00" not in raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
