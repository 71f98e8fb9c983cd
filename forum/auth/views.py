from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from forum.auth.access import keep_out_of_caches, staff_required
from forum.auth.forms import LoginForm, LogoutForm, PasswordChangeForm
from forum.auth.passwords import verify_password
from forum.auth.services import (
    authenticate,
    end_sessions,
    normalize_email,
    safe_next,
    set_password,
)
from forum.extensions import db
from forum.limits import rate_limit, rate_limit_by
from forum.readers import keyed_hash

bp = Blueprint("auth", __name__, url_prefix="/staff")
bp.after_request(keep_out_of_caches)


def _submitted_account() -> str:
    return keyed_hash("login-account", normalize_email(request.form.get("email", ""))[:254])


@bp.route("/login", methods=["GET", "POST"])
@rate_limit("login")
@rate_limit_by(
    "login_account", _submitted_account, deduct_when=lambda response: response.status_code != 302
)
def login():
    """Sign a staff member in, then send them back where they were going."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data) or url_for("moderation.queue"))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        db.session.commit()  # a rehash or nothing; keeps one commit per POST
        error = _("Adresse e-mail ou mot de passe incorrect, ou compte désactivé.")
        return render_template("auth/login.html", form=form, login_error=error), 400
    session.clear()  # a fresh session: nothing planted before login survives it
    login_user(user)
    db.session.commit()
    return redirect(safe_next(form.next.data) or url_for("moderation.queue"))


@bp.post("/logout")
@staff_required
def logout():
    """Sign out and revoke the session everywhere it was copied."""
    if not LogoutForm().validate_on_submit():
        abort(400)
    end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@staff_required
@rate_limit("login")
def change_password():
    """Change one's own password; every other session of the account ends."""
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 400 if form.is_submitted() else 200
    if not verify_password(current_user.password_hash, form.current_password.data):
        form.current_password.errors.append(_("Mot de passe actuel incorrect."))
        return render_template("auth/password.html", form=form), 400
    user = current_user._get_current_object()
    set_password(user, form.new_password.data, actor=user)
    db.session.commit()
    login_user(user)  # this session carries the new version; the others are revoked
    flash(_("Mot de passe changé. Vos autres sessions sont fermées."), "success")
    return redirect(url_for("moderation.queue"), code=303)
