"""Reader pseudonyms: what a name may contain, and which names readers cannot take."""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _

from forum.lookalikes import lookalike_key, mixes_scripts, strip_format

MIN_LENGTH = 2
MAX_LENGTH = 40
KEY_LENGTH = 80  # the column of Reader.pseudonym_key
ALLOWED_PUNCTUATION = frozenset(" -_.'")
# Folded forms (see fold_name). A name is refused when its folded form contains one of
# these, so "La Rédaction", "moderateur2", "A.d.m.i.n" and "Αdmin" (Greek Α) are refused.
RESERVED_WORDS = (
    "redaction",
    "moderat",
    "admin",
    "staff",
    "equipe",
    "webmaster",
    "journaliste",
    "editeur",
    "officiel",
    "support",
    "anonyme",
    "systeme",
)


class InvalidPseudonym(ValueError):
    """The name cannot be used; the message is for the reader."""


def clean_pseudonym(raw: str) -> str:
    """Drop invisible format characters, trim and collapse inner whitespace (NFC, so one
    accented letter counts as one)."""
    return " ".join(unicodedata.normalize("NFC", strip_format(raw or "")).split())


def fold_name(name: str) -> str:
    """Case-, accent-, punctuation- and look-alike-insensitive form used to compare names."""
    decomposed = unicodedata.normalize("NFKD", lookalike_key(name))
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def check_pseudonym(name: str, staff_names: list[str]) -> str:
    """Return the folded key of a valid reader pseudonym, or raise InvalidPseudonym."""
    if not MIN_LENGTH <= len(name) <= MAX_LENGTH:
        raise InvalidPseudonym(_("Le pseudonyme doit compter de 2 à 40 caractères."))
    if any(not (c.isalnum() or c in ALLOWED_PUNCTUATION) for c in name):
        raise InvalidPseudonym(
            _(
                "Le pseudonyme ne peut contenir que des lettres, des chiffres, des espaces et "
                "les signes - _ . '"
            )
        )
    if mixes_scripts(name):
        raise InvalidPseudonym(
            _(
                "Le pseudonyme mélange plusieurs alphabets (par exemple latin et cyrillique) : "
                "écrivez-le dans un seul alphabet."
            )
        )
    key = fold_name(name)
    if len(key) < MIN_LENGTH:
        raise InvalidPseudonym(_("Le pseudonyme doit contenir au moins deux lettres ou chiffres."))
    if len(key) > KEY_LENGTH:
        raise InvalidPseudonym(_("Le pseudonyme doit compter de 2 à 40 caractères."))
    staff_keys = {fold_name(staff) for staff in staff_names}
    if key in staff_keys or any(word in key for word in RESERVED_WORDS):
        raise InvalidPseudonym(
            _("Ce pseudonyme est réservé à l'équipe du site. Choisissez-en un autre.")
        )
    return key
