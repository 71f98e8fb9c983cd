"""Extension objects, created unbound and attached to the app in create_app."""

from flask import request, session
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from forum.readers import current_address_hash

# Stable constraint names, so migrations can alter and drop them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class StaffLoginManager(LoginManager):
    """Flask-Login's manager, with its session protection kept to signed-in sessions, and
    static files left out of its cookie handling.

    In "strong" mode Flask-Login takes any non-empty session without its own identifier as
    stolen: a reader's session, which holds only a CSRF token, was rewritten on every
    request, with a remember-cookie deletion, so each page a returning reader opened set two
    cookies. A staff session replayed from another browser is still emptied.
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()

    def _update_remember_cookie(self, response):
        # A static file is the same for everyone: reading the session (Flask-Login does so
        # after every request) would add "Vary: Cookie" to it.
        if request.endpoint == "static":
            return response
        return super()._update_remember_cookie(response)


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = StaffLoginManager()
babel = Babel()
cache = Cache()
# Keyed on the address hash, so no raw address ever reaches the limit storage (Redis).
limiter = Limiter(key_func=current_address_hash)
