from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from forum.polls.reasons import LABEL_MAX, MAX_REASONS, reason_lines

REJECT_REASONS = [
    SelectChoice("spam", _l("Publicité ou spam")),
    SelectChoice("harassment", _l("Attaque personnelle ou harcèlement")),
    SelectChoice("hate", _l("Propos haineux ou discriminatoires")),
    SelectChoice("off_topic", _l("Hors sujet")),
    SelectChoice("misinformation", _l("Fausse information manifeste")),
    SelectChoice("personal_data", _l("Données personnelles")),
    SelectChoice("other", _l("Autre raison (précisez)")),
]
# First in a reason list: nothing is preselected, so a moderator who does not choose is told
# (HTML also asks a required list for an empty first option).
NO_REASON = SelectChoice("", _l("Choisir une raison…"))
BAN_CHOICES = [
    SelectChoice("24h", _l("24 heures")),
    SelectChoice("7d", _l("7 jours")),
    SelectChoice("30d", _l("30 jours")),
    SelectChoice("permanent", _l("Définitif")),
]
PREMODERATION_CHOICES = [
    SelectChoice("none", _l("Aucune : publication immédiate")),
    SelectChoice("first", _l("Premier commentaire d'un nouveau lecteur")),
    SelectChoice("all", _l("Tous les commentaires")),
]
BULK_ACTIONS = [
    SelectChoice("approve", _l("Approuver")),
    SelectChoice("reject", _l("Refuser")),
    SelectChoice("restore", _l("Rétablir")),
    SelectChoice("feature", _l("Mettre en avant")),
    SelectChoice("unfeature", _l("Retirer de la une")),
]
OPEN_CLOSED = [SelectChoice("1", _l("Ouvert")), SelectChoice("0", _l("Fermé"))]


class StaffActionForm(FlaskForm):
    """A one-button action on a comment: carries CSRF and where to go back to."""

    next = HiddenField()


class RejectForm(StaffActionForm):
    reason = SelectField(
        _l("Raison du refus"),
        choices=[NO_REASON, *REJECT_REASONS],
        validators=[InputRequired(message=_l("Choisissez la raison du refus."))],
    )
    note = StringField(
        _l("Précision (facultative, montrée à l'auteur)"), validators=[Optional(), Length(max=300)]
    )

    def reason_text(self) -> str:
        """The reason as the author will read it ("" when none was chosen)."""
        if not self.reason.data:
            return ""
        label = {c.value: c.label for c in REJECT_REASONS}[self.reason.data]
        if self.reason.data == "other":
            return self.note.data or ""
        return f"{label} : {self.note.data}" if self.note.data else str(label)


class BulkForm(RejectForm):
    action = SelectField(_l("Action sur la sélection"), choices=BULK_ACTIONS)
    reason = SelectField(
        _l("Raison du refus"), choices=[NO_REASON, *REJECT_REASONS], validators=[Optional()]
    )
    comment_ids = SelectMultipleField(
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(message=_l("Sélectionnez au moins un commentaire."))],
    )


class BanForm(StaffActionForm):
    duration = RadioField(
        _l("Durée"),
        choices=BAN_CHOICES,
        default="24h",
        validators=[InputRequired(message=_l("Choisissez une durée."))],
    )
    reason = StringField(
        _l("Raison (notée au journal)"),
        validators=[InputRequired(message=_l("Indiquez une raison.")), Length(max=300)],
    )
    include_address = BooleanField(
        _l(
            "Refuser aussi les commentaires de son adresse réseau (sinon, ils sont mis en "
            "attente de relecture pendant le bannissement ; connexion partagée : touche "
            "d'autres lecteurs)"
        )
    )


class ArticleSettingsForm(FlaskForm):
    discussion_open = RadioField(_l("Discussion"), choices=OPEN_CLOSED)
    poll_open = RadioField(_l("Sondage"), choices=OPEN_CLOSED)
    premoderation = RadioField(_l("Pré-modération"), choices=PREMODERATION_CHOICES)
    flag_threshold = IntegerField(
        _l("Seuil de signalements avant mise en attente (vide : réglage général)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=100, message=_l("Indiquez un nombre entre 1 et 100.")),
        ],
    )
    reasons = TextAreaField(
        _l("Raisons proposées aux votants (une par ligne)"),
        validators=[Length(max=MAX_REASONS * (LABEL_MAX + 2) + 200)],
    )

    def validate_reasons(self, field) -> None:
        labels = reason_lines(field.data or "")
        if len(labels) > MAX_REASONS:
            raise ValidationError(_l("Proposez au plus %(num)s raisons.", num=MAX_REASONS))
        if any(len(label) > LABEL_MAX for label in labels):
            raise ValidationError(
                _l("Une raison tient en %(num)s caractères au plus.", num=LABEL_MAX)
            )

    @property
    def reason_labels(self) -> list[str] | None:
        """The list as typed; None when the form does not carry it (left as it is)."""
        return None if self.reasons.data is None else reason_lines(self.reasons.data)


class WordForm(FlaskForm):
    word = StringField(
        _l("Mot ou expression"),
        validators=[InputRequired(message=_l("Indiquez un mot.")), Length(max=100)],
    )
    kind = RadioField(
        _l("Liste"),
        choices=[
            SelectChoice("banned", _l("Interdit : le commentaire est refusé")),
            SelectChoice("suspect", _l("Suspect : le commentaire attend la modération")),
        ],
        default="suspect",
    )


FLAG_LABELS = {
    "spam": _l("Spam"),
    "harassment": _l("Harcèlement"),
    "off_topic": _l("Hors sujet"),
    "hate": _l("Haine"),
    "misinformation": _l("Désinformation"),
    "other": _l("Autre"),
}
PENDING_LABELS = {
    "premoderation": _l("pré-modération"),
    "first_comment": _l("premier commentaire"),
    "suspect_word": _l("mot suspect"),
    "flags": _l("signalements"),
    "banned_address": _l("adresse d'un auteur banni"),
}
TAB_LABELS = {
    "pending": _l("En attente"),
    "reported": _l("Signalés"),
    "recent": _l("Récents"),
    "rejected": _l("Refusés"),
}


class HeldVotesForm(FlaskForm):
    """Release or discard held votes: of one address and window, or (both empty) all."""

    address = HiddenField(validators=[Optional(), Length(min=64, max=64)])
    window = HiddenField(validators=[Optional(), Length(max=32)])
    release = SubmitField(_l("Libérer"))
    discard = SubmitField(_l("Écarter"))
