"""/healthz: is this process able to reach its database?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from forum.extensions import db, limiter

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Answer 200 when the database answers, 503 otherwise (JSON either way)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        current_app.logger.warning("Health check: the database did not answer", exc_info=True)
        return _no_store(jsonify(status="error", database="unreachable"), 503)
    return _no_store(jsonify(status="ok", database="ok"), 200)


def _no_store(response, status: int):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
