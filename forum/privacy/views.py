from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from forum.extensions import db
from forum.languages.numbers import counted
from forum.limits import rate_limit
from forum.notices.page import forget_seen
from forum.privacy.forms import EraseForm
from forum.privacy.services import Erasure, ReaderData, erase_reader, load_reader_data
from forum.readers import current_reader_hash
from forum.security import vary_on_cookie

bp = Blueprint("privacy", __name__)


@bp.after_request
def _keep_private(response: Response) -> Response:
    # A reader's own data: never kept by a browser cache or a shared proxy.
    response.headers["Cache-Control"] = "no-store"
    vary_on_cookie(response)
    return response


def _reader_data() -> ReaderData | None:
    reader_hash = current_reader_hash()
    return load_reader_data(reader_hash) if reader_hash else None


@bp.get("/mes-donnees")
def my_data():
    """Show what the forum holds about this browser's reader id."""
    return _my_data_page(EraseForm())


def _my_data_page(form: EraseForm, status: int = 200):
    return render_template("privacy/my_data.html", data=_reader_data(), form=form), status


@bp.get("/mes-donnees.json")
def download():
    """Send everything held about this reader as a JSON file."""
    data = _reader_data() or ReaderData(pseudonym=None, first_seen=None)
    body = json.dumps(data.as_json(), ensure_ascii=False, indent=2)
    return Response(
        body + "\n",
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="mes-donnees-forum.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/mes-donnees/supprimer")
@rate_limit("data_deletion")
def erase():
    """Erase this reader's votes, marks and flags and blank their comments, in one commit."""
    form = EraseForm()
    if not form.validate_on_submit():
        return _my_data_page(form, status=400)
    reader_hash = current_reader_hash()
    if reader_hash is None:
        flash(
            _("Ce navigateur n'a pas d'identifiant de lecteur : il n'y a rien à supprimer."), "info"
        )
        return redirect(url_for("privacy.my_data"), 303)
    erasure = erase_reader(reader_hash, current_app.config["FORUM_FLAG_THRESHOLD"])
    db.session.commit()
    flash(erasure_message(erasure), "success")
    response = redirect(url_for("privacy.my_data"), 303)
    response.delete_cookie(
        current_app.config["FORUM_READER_COOKIE"],
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["FORUM_HTTPS"]),
    )
    forget_seen(response)
    return response


def erasure_message(erasure: Erasure) -> str:
    parts = [
        counted("%(num)s commentaire effacé", "%(num)s commentaires effacés", erasure.comments),
        counted("%(num)s vote retiré", "%(num)s votes retirés", erasure.votes),
        counted(
            "%(num)s mention « utile » retirée",
            "%(num)s mentions « utile » retirées",
            erasure.useful_marks,
        ),
        counted("%(num)s signalement retiré", "%(num)s signalements retirés", erasure.flags),
    ]
    if erasure.changed_mind_marks:  # rare: named only when there were some
        parts.insert(
            3,
            counted(
                "%(num)s mention « m'a fait changer d'avis » retirée",
                "%(num)s mentions « m'a fait changer d'avis » retirées",
                erasure.changed_mind_marks,
            ),
        )
    return _(
        "Vos données sont supprimées : %(details)s. Ce navigateur n'a plus "
        "d'identifiant de lecteur.",
        details=", ".join(parts),
    )


@bp.get("/confidentialite")
def policy():
    """The privacy page: what is stored, for how long, and how to see or erase it."""
    return render_template(
        "privacy/policy.html", retention_days=current_app.config["FORUM_RETENTION_DAYS"]
    )
