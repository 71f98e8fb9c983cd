"""Permission decorators for staff views."""

from __future__ import annotations

from functools import wraps

from flask import Response, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user


def staff_required(view):
    """Let in signed-in staff; send others to the login page (GET) or refuse (other methods)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            if request.method == "GET":
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            abort(403, description=_l("Connectez-vous à l'espace de la rédaction pour agir."))
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Let in signed-in administrators only."""

    @staff_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403, description=_l("Cette page est réservée aux administrateurs."))
        return view(*args, **kwargs)

    return wrapped


def keep_out_of_caches(response: Response) -> Response:
    """Staff pages hold unpublished comments: no browser or proxy may keep a copy."""
    response.headers["Cache-Control"] = "no-store, private"
    return response
