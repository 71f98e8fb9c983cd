"""Styled error pages in the reader's language; nothing leaks a stack trace."""

from __future__ import annotations

import math
import time

import sqlalchemy.exc
from flask import Flask, current_app, render_template
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from forum.extensions import db, limiter

MESSAGES = {
    400: (_l("Requête invalide"), _l("La demande envoyée n'a pas pu être comprise.")),
    403: (_l("Accès refusé"), _l("Vous n'avez pas accès à cette page.")),
    404: (_l("Page introuvable"), _l("Cette page n'existe pas ou n'existe plus.")),
    405: (_l("Méthode non autorisée"), _l("Cette adresse ne s'utilise pas de cette façon.")),
    409: (_l("Conflit"), _l("Cette action n'est plus possible dans l'état actuel.")),
    410: (_l("Plus disponible"), _l("Cette action n'est plus ouverte.")),
    413: (_l("Envoi trop volumineux"), _l("Les données envoyées dépassent la taille autorisée.")),
    429: (
        _l("Trop de requêtes"),
        _l("Vous avez fait trop de demandes en peu de temps. Réessayez dans un instant."),
    ),
    503: (
        _l("Service momentanément indisponible"),
        _l(
            "La base de données ne répond pas pour l'instant. Réessayez dans un instant : "
            "ce qui était enregistré n'est pas perdu."
        ),
    ),
    500: (
        _l("Erreur interne"),
        _l("Une erreur inattendue s'est produite. Ce qui était enregistré n'est pas perdu."),
    ),
}


FALLBACK_PAGE = (
    '<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>{title}</title>'
    "<h1>{title}</h1><p>{text}</p></html>"
)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)
    for error in (sqlalchemy.exc.DBAPIError, sqlalchemy.exc.TimeoutError):
        app.register_error_handler(error, handle_database_error)


def render_error(code: int, message: str | None = None):
    title, default_message = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    try:
        page = render_template(
            "errors/error.html", code=code, title=title, message=message or default_message
        )
    except Exception:
        # The layout itself failed (a broken database, say): a bare page still beats a trace.
        current_app.logger.exception("Error page could not be rendered")
        page = fallback_page(code, title)
    return page, code


def fallback_page(code: int, title) -> str:
    """The bare page, in the reader's language with no template; in French, the default,
    should even the translations fail."""
    try:
        language, title = str(get_locale()), str(title)
        text = _("Erreur %(code)d. Réessayez dans un instant.", code=code)
    except Exception:
        current_app.logger.exception("Error page could not be translated")
        language, title, text = "fr", "Erreur", f"Erreur {code}. Réessayez dans un instant."
    return FALLBACK_PAGE.format(lang=escape(language), title=escape(title), text=escape(text))


def handle_csrf_error(error: CSRFError):
    db.session.rollback()
    return render_error(
        400,
        _l(
            "Le formulaire a expiré ou n'a pas été reconnu (jeton de sécurité manquant ou "
            "invalide). Rechargez la page et réessayez."
        ),
    )


def handle_http_error(error: HTTPException):
    db.session.rollback()
    if error.code is None or error.code < 400:
        return error
    custom = error.description if error.description != type(error).description else None
    if error.code == 429:
        custom = _retry_message()
    page, code = render_error(error.code, custom)
    response = error.get_response()
    response.set_data(page)
    response.content_type = "text/html; charset=utf-8"
    response.status_code = code
    return response


def handle_database_error(error: Exception):
    """A lost or refused database connection is an outage, not a bug: 503, retry later."""
    try:
        db.session.rollback()
    except sqlalchemy.exc.SQLAlchemyError:
        db.session.remove()
    if not _is_connection_failure(error):
        return handle_unexpected_error(error)
    current_app.logger.error("Database unavailable", exc_info=error)
    page, code = render_error(503)
    return page, code, {"Retry-After": "5"}


def _is_connection_failure(error: Exception) -> bool:
    if isinstance(error, sqlalchemy.exc.TimeoutError):
        return True
    return error.connection_invalidated or isinstance(
        error, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError
    )


def _retry_message() -> str | None:
    """Tell the reader how long to wait, from the limit that refused the request."""
    limit = limiter.current_limit
    if limit is None:
        return None
    seconds = max(1, math.ceil(limit.reset_at - time.time()))
    if seconds < 120:
        wait = ngettext("%(num)d seconde", "%(num)d secondes", seconds)
    else:
        wait = ngettext("%(num)d minute", "%(num)d minutes", math.ceil(seconds / 60))
    return _("Vous avez fait trop de demandes en peu de temps. Réessayez dans %(wait)s.", wait=wait)


def handle_unexpected_error(error: Exception):
    db.session.rollback()
    current_app.logger.exception("Unhandled error", exc_info=error)
    return render_error(InternalServerError.code)
