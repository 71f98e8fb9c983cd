from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from forum.cross_origin import ReaderForm


class EraseForm(ReaderForm):
    """Erase everything this browser's reader id is linked to, once confirmed."""

    confirm = BooleanField(
        _l(
            "Je comprends que mes votes, mes mentions « utile » et mes signalements seront "
            "retirés et que mes commentaires seront remplacés par « commentaire supprimé ». "
            "Cette suppression est définitive."
        ),
        validators=[DataRequired(message=_l("Cochez la case pour confirmer la suppression."))],
    )
    submit = SubmitField(_l("Supprimer mes données"))
