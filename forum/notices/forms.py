from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class FeedForm(FlaskForm):
    """Create the reader's private feed address, or replace it (the old one stops working)."""

    submit = SubmitField(_l("Créer l'adresse de mon flux"))
