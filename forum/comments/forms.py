"""One form per discussion action; the anti-spam area can add fields to CommentForm."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forum.comments.services import MAX_BODY, CommentError
from forum.comments.spam import page_stamp, spam_rules, stale_stamp
from forum.cross_origin import ReaderForm
from forum.parsing import bounded_int
from forum.readers import current_address_hash

FLAG_CHOICES = [
    SelectChoice("spam", _l("Spam ou publicité")),
    SelectChoice("harassment", _l("Harcèlement")),
    SelectChoice("off_topic", _l("Hors sujet")),
    SelectChoice("hate", _l("Propos haineux")),
    SelectChoice("misinformation", _l("Désinformation")),
    SelectChoice("other", _l("Autre raison")),
]


def _optional_int(value):
    return bounded_int(value)


class CommentForm(ReaderForm):
    """A new comment or a reply; `preview` re-shows it rendered, `submit` stores it."""

    pseudonym = StringField(
        _l("Pseudonyme"),
        validators=[
            InputRequired(message=_l("Indiquez un pseudonyme.")),
            Length(max=200, message=_l("Le pseudonyme doit compter de 2 à 40 caractères.")),
        ],
        render_kw={"autocomplete": "nickname", "maxlength": 40},
    )
    body = TextAreaField(
        _l("Votre commentaire"),
        validators=[InputRequired(message=_l("Votre commentaire est vide."))],
        render_kw={"rows": 6, "maxlength": MAX_BODY},
    )
    parent_id = HiddenField(filters=[_optional_int])
    submission_token = HiddenField(validators=[Optional(), Length(max=64)])
    # Signed time the form was shown: a post that follows too quickly is a script's.
    rendered_at = HiddenField(validators=[Optional(), Length(max=200)])
    # Honeypot: hidden from people (and assistive technology), filled in by naive bots.
    website = StringField(
        _l("Laissez ce champ vide"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )
    preview = SubmitField(_l("Prévisualiser"))
    submit = SubmitField(_l("Publier"))

    def ensure_token(self) -> None:
        """Give a freshly rendered form its random token and render time (kept when the
        form is re-shown, so a reader who waits can send it again, unless it is too old or
        already spent)."""
        if not self.submission_token.data:
            self.submission_token.data = secrets.token_urlsafe(24)
        if not self.rendered_at.data or stale_stamp(
            self.rendered_at.data, spam_rules(), current_address_hash()
        ):
            self.rendered_at.data = page_stamp()

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.website.data or "").strip())


class EditForm(ReaderForm):
    body = TextAreaField(
        _l("Votre commentaire"),
        validators=[InputRequired(message=_l("Votre commentaire est vide."))],
        render_kw={"rows": 8, "maxlength": MAX_BODY},
    )
    preview = SubmitField(_l("Prévisualiser"))
    submit = SubmitField(_l("Enregistrer la modification"))


class DeleteForm(ReaderForm):
    """Delete one's own comment, once the box is ticked (one click deletes nothing)."""

    confirm = BooleanField(
        _l("Je confirme : le texte de ce commentaire sera effacé définitivement."),
        validators=[DataRequired(message=_l("Cochez la case pour confirmer la suppression."))],
    )
    # Not "submit": the edit form on the same page has that id.
    delete = SubmitField(_l("Supprimer définitivement"))


class FlagForm(ReaderForm):
    reason = RadioField(
        _l("Pourquoi signalez-vous ce commentaire ?"),
        choices=FLAG_CHOICES,
        validators=[InputRequired(message=_l("Choisissez une raison de signalement."))],
    )
    note = TextAreaField(
        _l("Précisions (facultatif)"),
        validators=[Optional(), Length(max=1000, message=_l("1 000 caractères au plus."))],
        render_kw={"rows": 3, "maxlength": 1000},
    )
    submit = SubmitField(_l("Envoyer le signalement"))


class UsefulForm(ReaderForm):
    """The "utile" button: no field of its own (a CSRF token for a signed-in session)."""


def add_field_error(form: ReaderForm, error: CommentError) -> None:
    """Show a refused action's message under the field it is about, if it names one."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
