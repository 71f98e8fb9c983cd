from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from forum.auth import guesses
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
from forum.extensions import db, limiter
from forum.limits import limit_setting, rate_limit
from forum.readers import current_address_hash, keyed_hash

bp = Blueprint("auth", __name__, url_prefix="/staff")
bp.after_request(keep_out_of_caches)


@bp.route("/login", methods=["GET", "POST"])
@rate_limit("login")
def login():
    """Sign a staff member in, then send them back where they were going."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data) or url_for("moderation.queue"))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    guesser = _guesser(form.email.data)
    wait = _reserve_guess(guesser)
    if wait is not None:
        return _too_many_guesses(form, wait)
    user = authenticate(form.email.data, form.password.data)
    if user is None:
        db.session.commit()  # a rehash or nothing; keeps one commit per POST
        error = _("Adresse e-mail ou mot de passe incorrect, ou compte désactivé.")
        return render_template("auth/login.html", form=form, login_error=error), 400
    _give_back_guess(guesser)
    session.clear()  # a fresh session: nothing planted before login survives it
    login_user(user)
    db.session.commit()
    response = redirect(safe_next(form.next.data) or url_for("moderation.queue"))
    _remember_device(response, guesser)
    return response


def _guesser(email: str) -> guesses.Guesser:
    """The submitted account, and this browser if it signed in to it before, else its address."""
    account = keyed_hash("login-account", normalize_email(email)[:254])
    device = guesses.device_of(request.cookies.get(guesses.DEVICE_COOKIE), account)
    client = f"device:{device}" if device else current_address_hash()
    return guesses.Guesser(account, client, known_device=device is not None)


def _budgets() -> guesses.GuessBudgets:
    return guesses.guess_budgets(
        limit_setting("login_account"), limit_setting("login_account_ceiling")
    )


def _reserve_guess(guesser: guesses.Guesser) -> int | None:
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    return guesses.reserve_guess(limiter.limiter, _budgets(), guesser)


def _give_back_guess(guesser: guesses.Guesser) -> None:
    if current_app.config.get("RATELIMIT_ENABLED", True):
        guesses.give_back_guess(limiter.limiter, _budgets(), guesser)


def _too_many_guesses(form: LoginForm, seconds: int):
    minutes = max(1, -(-seconds // 60))
    error = ngettext(
        "Trop de mots de passe erronés pour ce compte : réessayez dans %(num)d minute.",
        "Trop de mots de passe erronés pour ce compte : réessayez dans %(num)d minutes.",
        minutes,
    )
    page = render_template("auth/login.html", form=form, login_error=error)
    return page, 429, {"Retry-After": str(seconds)}


def _remember_device(response, guesser: guesses.Guesser) -> None:
    """Mark this browser as one the account signed in from: the ceiling never stops it."""
    if guesser.known_device:
        return
    response.set_cookie(
        guesses.DEVICE_COOKIE,
        guesses.new_device_cookie(guesser.account),
        max_age=guesses.DEVICE_DAYS * 86400,
        path=guesses.DEVICE_COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=bool(current_app.config["FORUM_HTTPS"]),
    )


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
