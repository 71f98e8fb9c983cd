from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

from forum.cross_origin import ReaderForm
from forum.notices.mail import ADDRESS


class FeedForm(ReaderForm):
    """Create the reader's private feed address, or replace it (the old one stops working)."""

    submit = SubmitField(_l("Créer l'adresse de mon flux"))


class MailForm(ReaderForm):
    """The address to send reply notices to (confirmed by a link sent to it)."""

    address = EmailField(
        _l("Votre adresse e-mail"),
        validators=[
            DataRequired(message=_l("Indiquez une adresse e-mail.")),
            Length(max=254, message=_l("Cette adresse est trop longue.")),
            Regexp(ADDRESS, message=_l("Cette adresse e-mail n'est pas valide.")),
        ],
    )
    submit = SubmitField(_l("Recevoir un e-mail à chaque réponse"))


class MailLinkForm(ReaderForm):
    """The button behind a mailed link: opening the link alone changes nothing (mail
    scanners open links), the reader's click does."""

    submit = SubmitField()
