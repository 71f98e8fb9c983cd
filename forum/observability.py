"""Request ids and structured logs: one JSON object per line, never a raw client address."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only behind trusted proxies (a client could otherwise choose the id
# its requests are logged under), and only if it cannot smuggle anything into the logs.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def init_app(app: Flask) -> None:
    app.before_request(_assign_request_id)
    app.after_request(_return_request_id)
    app.context_processor(lambda: {"request_id": current_request_id()})
    if app.config["FORUM_LOG_FORMAT"] == "json":
        _log_as_json(app)
    # The development server (flask run, the tests' live server) starts each request line
    # with the client address; the filter blanks it. gunicorn's access log never has it.
    logging.getLogger("werkzeug").addFilter(hide_client_address)


# "203.0.113.7 - - [25/Nov/2026 10:00:00] ..." as werkzeug's request handler logs it.
_LEADING_ADDRESS = re.compile(r"^\S+ - - \[")


def hide_client_address(record: logging.LogRecord) -> bool:
    """Blank the client address that starts werkzeug's request log lines (keep the line)."""
    if isinstance(record.msg, str):
        record.msg = _LEADING_ADDRESS.sub("- - - [", record.msg, count=1)
    return True


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def _assign_request_id() -> None:
    incoming = ""
    if current_app.config["FORUM_TRUSTED_PROXIES"]:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if VALID_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(16)
    g.request_started = time.perf_counter()


def _return_request_id(response: Response) -> Response:
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response


def _log_as_json(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    app.logger.handlers[:] = [handler]
    app.logger.propagate = False
    app.logger.setLevel(str(app.config["FORUM_LOG_LEVEL"]).upper())


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line; also understands gunicorn's access records."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry.update(_access_fields(record.args))
        else:
            entry["message"] = record.getMessage()
            request_id = current_request_id()
            if request_id:
                entry["request_id"] = request_id
            if has_request_context():
                entry["method"] = request.method
                entry["path"] = request.path
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _access_fields(atoms: dict) -> dict:
    # gunicorn passes its access-log atoms as the record's args. We pick fields by name and
    # leave out the client address ('h') and the forwarded-for header on purpose.
    request_id = atoms.get("{x-request-id}o") or None
    return {
        "message": f"{atoms.get('m')} {atoms.get('U')} {atoms.get('s')}",
        "method": atoms.get("m"),
        "path": atoms.get("U"),
        "status": _int_or_none(atoms.get("s")),
        "bytes": _int_or_none(atoms.get("B")),
        "duration_ms": round(int(atoms.get("D", 0)) / 1000, 1),
        "request_id": request_id if request_id != "-" else None,
    }


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
