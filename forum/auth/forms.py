from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from forum.auth.passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    # The address is the account's user name: "username" lets password managers pair it
    # with the password. The Nu checker we run (20.6) allows that token on a text input only
    # (HTML has allowed it on type=email since late 2020); inputmode keeps the e-mail keyboard.
    email = StringField(
        _l("Adresse e-mail"),
        validators=[InputRequired(message=_l("Indiquez votre adresse e-mail.")), Length(max=254)],
        render_kw={
            "autocomplete": "username",
            "inputmode": "email",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[InputRequired(message=_l("Indiquez votre mot de passe.")), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Carries only the CSRF token of the logout button."""


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        validators=[InputRequired(message=_l("Indiquez votre mot de passe actuel."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[
            InputRequired(message=_l("Choisissez un nouveau mot de passe.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1000,
                message=_l(
                    "Le mot de passe doit compter au moins %(min)d caractères.",
                    min=MIN_PASSWORD_LENGTH,
                ),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("Nouveau mot de passe, une seconde fois"),
        validators=[
            EqualTo(
                "new_password", message=_l("Les deux saisies du nouveau mot de passe diffèrent.")
            )
        ],
        render_kw={"autocomplete": "new-password"},
    )
