"""The audit log in words, in the reader's language: one sentence per action, its details
as short phrases.

Entries store codes (`article_settings`, `duration=7d; address=no`) so that filters and
exports stay stable; this module is the one place that turns them into words. A detail in a
shape it does not know is shown as stored rather than lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_datetime, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from forum.languages.numbers import counted
from forum.models import AuditEntry
from forum.moderation.forms import BAN_CHOICES, PENDING_LABELS, PREMODERATION_CHOICES

# Between the labels of a list of reasons, in an article_settings entry's details.
REASONS_SEPARATOR = " | "

# What the actor did, after their name. Every code a service can write has one
# (tests/test_audit_text.py reads the code to check it).
ACTION_SENTENCES = {
    "approve": _l("a approuvé le commentaire n° %(comment)s"),
    "reject": _l("a refusé le commentaire n° %(comment)s"),
    "restore": _l("a rétabli le commentaire n° %(comment)s"),
    "feature": _l("a mis en avant le commentaire n° %(comment)s"),
    "unfeature": _l("a retiré de la une le commentaire n° %(comment)s"),
    "ban": _l("a banni l'auteur du commentaire n° %(comment)s"),
    "unban": _l("a levé un bannissement"),
    "article_settings": _l("a changé les réglages de l'article « %(article)s »"),
    "word_add": _l("a ajouté un mot"),
    "word_remove": _l("a retiré un mot"),
    "staff_create": _l("a créé le compte de %(user)s"),
    "staff_password": _l("a changé le mot de passe de %(user)s"),
    "staff_role": _l("a changé le rôle de %(user)s"),
    "staff_enable": _l("a réactivé le compte de %(user)s"),
    "staff_disable": _l("a désactivé le compte de %(user)s"),
    "votes_release": _l("a libéré des votes retenus sur « %(article)s »"),
    "votes_discard": _l("a écarté des votes retenus sur « %(article)s »"),
}
# The same actions as the audit filter offers them.
ACTION_LABELS = {
    "approve": _l("Approbations"),
    "reject": _l("Refus"),
    "restore": _l("Rétablissements"),
    "feature": _l("Mises en avant"),
    "unfeature": _l("Retraits de la une"),
    "ban": _l("Bannissements"),
    "unban": _l("Levées de bannissement"),
    "article_settings": _l("Réglages d'article"),
    "word_add": _l("Mots ajoutés"),
    "word_remove": _l("Mots retirés"),
    "staff_create": _l("Comptes créés"),
    "staff_password": _l("Mots de passe changés"),
    "staff_role": _l("Rôles changés"),
    "staff_enable": _l("Comptes réactivés"),
    "staff_disable": _l("Comptes désactivés"),
    "votes_release": _l("Votes retenus libérés"),
    "votes_discard": _l("Votes retenus écartés"),
}
ROLE_LABELS = {"moderator": _l("modérateur"), "admin": _l("administrateur")}
WORD_LISTS = {"banned": _l("aux mots interdits"), "suspect": _l("aux mots suspects")}
WORD_LISTS_FROM = {"banned": _l("des mots interdits"), "suspect": _l("des mots suspects")}
# An article setting changed from one value to another: (opened, closed) phrases.
OPEN_CLOSE_PHRASES = {
    "discussion_open": (_l("a ouvert la discussion"), _l("a fermé la discussion")),
    "poll_open": (_l("a ouvert le sondage"), _l("a fermé le sondage")),
}


@dataclass(frozen=True)
class AuditLine:
    """One entry as the log shows it: who, what, and the details as phrases."""

    entry: AuditEntry
    actor: str
    sentence: str
    details: list[str] = field(default_factory=list)


def describe(
    entry: AuditEntry, staff_names: dict[int, str], article_titles: dict[int, str]
) -> AuditLine:
    """The entry in words; names and titles come from the page's own lookups."""
    values = {
        "comment": entry.comment_id or "?",
        "article": article_titles.get(entry.article_id, _("article supprimé")),
        "user": staff_names.get(entry.target_user_id, _("un compte supprimé")),
    }
    template = ACTION_SENTENCES.get(entry.action)
    sentence = str(template) % values if template else entry.action
    actor = staff_names.get(entry.actor_id) if entry.actor_id else None
    return AuditLine(
        entry,
        actor or _("La console d'administration"),
        sentence,
        detail_phrases(entry),
    )


def _reason(entry: AuditEntry) -> list[str]:
    if not entry.reason:
        return []
    if entry.action == "reject":
        return [_("raison donnée à l'auteur : %(reason)s", reason=entry.reason)]
    return [_("raison : %(reason)s", reason=entry.reason)]


def _details(action: str, details: str) -> list[str]:
    if not details:
        return []
    phrases = DETAIL_READERS.get(action, _as_stored)(details)
    return phrases if phrases is not None else _as_stored(details)


def _as_stored(details: str) -> list[str]:
    return [details]


def _approved_from(details: str) -> list[str] | None:
    code = details.removeprefix("was: ")
    if code == "flags":
        return [_("il était signalé par des lecteurs")]
    if code in PENDING_LABELS:
        return [_("il était en attente (%(why)s)", why=PENDING_LABELS[code])]
    return None


def _restored_from(details: str) -> list[str] | None:
    if not details.startswith("was rejected:"):
        return None
    reason = details.removeprefix("was rejected:").strip()
    return [_("il avait été refusé : %(reason)s", reason=reason)] if reason else []


def _ban_terms(details: str) -> list[str] | None:
    terms = dict(part.split("=", 1) for part in details.split("; ") if "=" in part)
    durations = {c.value: c.label for c in BAN_CHOICES}
    if terms.get("duration") not in durations or terms.get("address") not in ("yes", "no"):
        return None
    return [
        _("durée : %(duration)s", duration=str(durations[terms["duration"]]).lower()),
        _("ses commentaires venant de la même adresse sont refusés")
        if terms["address"] == "yes"
        else _("ses commentaires venant de la même adresse attendent une relecture"),
    ]


def _lifted_ban(details: str) -> list[str] | None:
    number = details.removeprefix("ban=")
    return [_("bannissement n° %(number)s", number=number)] if number.isdigit() else None


def _setting_changes(details: str) -> list[str] | None:
    phrases = []
    for change in details.split("; "):
        name, _sep, values = change.partition(": ")
        before, arrow, after = values.partition(" -> ")
        phrase = _setting_change(name, before, after) if arrow else None
        if phrase is None:
            return None
        phrases.append(phrase)
    return phrases


def _setting_change(name: str, before: str, after: str) -> str | None:
    if name in OPEN_CLOSE_PHRASES and after in ("True", "False"):
        opened, closed = OPEN_CLOSE_PHRASES[name]
        return str(opened if after == "True" else closed)
    if name == "premoderation":
        modes = {c.value: str(c.label) for c in PREMODERATION_CHOICES}
        if before in modes and after in modes:
            return _(
                "pré-modération : « %(before)s » devient « %(after)s »",
                before=modes[before],
                after=modes[after],
            )
    if name == "reasons":
        none = _("aucune")
        return _(
            "raisons proposées : %(before)s devient %(after)s",
            before=_quoted_labels(before) or none,
            after=_quoted_labels(after) or none,
        )
    if name == "flag_threshold":
        general = _("réglage général")
        return _(
            "seuil de signalements : %(before)s devient %(after)s",
            before=general if before == "None" else before,
            after=general if after == "None" else after,
        )
    return None


def _quoted_labels(labels: str) -> str:
    return ", ".join(
        _("« %(word)s »", word=label) for label in labels.split(REASONS_SEPARATOR) if label
    )


def _word(lists: dict) -> Callable[[str], list[str] | None]:
    def read(details: str) -> list[str] | None:
        kind, _sep, word = details.partition(": ")
        if kind not in lists or not word:
            return None
        return [_("« %(word)s » %(list)s", word=word, list=lists[kind])]

    return read


def _held_votes(released: bool) -> Callable[[str], list[str] | None]:
    def read(details: str) -> list[str] | None:
        codes = dict(code.partition("=")[::2] for code in details.split("; "))
        if not codes.get("count", "").isdigit():
            return None  # an entry written before the codes: shown as stored
        count = int(codes["count"])
        phrases = [
            counted("%(num)s vote retenu libéré", "%(num)s votes retenus libérés", count)
            if released
            else counted("%(num)s vote retenu écarté", "%(num)s votes retenus écartés", count)
        ]
        if "address" in codes:
            phrases.append(_("adresse %(prefix)s…", prefix=codes["address"]))
        if "window" in codes:
            start, _sep, end = codes["window"].partition("/")
            phrases.append(
                _(
                    "fenêtre du %(start)s au %(end)s (UTC)",
                    start=format_datetime(datetime.fromisoformat(start), "short", rebase=False),
                    end=format_time(datetime.fromisoformat(end), "short", rebase=False),
                )
            )
        return phrases

    return read


def detail_phrases(entry: AuditEntry) -> list[str]:
    """The entry's reason and details in words (the vote-integrity panel shows them)."""
    return [*_reason(entry), *_details(entry.action, entry.details or "")]


def _role_change(details: str) -> list[str] | None:
    before, _sep, after = details.partition(" -> ")
    if before not in ROLE_LABELS or after not in ROLE_LABELS:
        return None
    return [
        _(
            "de %(before)s à %(after)s",
            before=ROLE_LABELS[before],
            after=ROLE_LABELS[after],
        )
    ]


def _created_role(details: str) -> list[str] | None:
    role = details.removeprefix("role=")
    return [_("rôle : %(role)s", role=ROLE_LABELS[role])] if role in ROLE_LABELS else None


DETAIL_READERS = {
    "approve": _approved_from,
    "restore": _restored_from,
    "ban": _ban_terms,
    "unban": _lifted_ban,
    "article_settings": _setting_changes,
    "word_add": _word(WORD_LISTS),
    "word_remove": _word(WORD_LISTS_FROM),
    "staff_role": _role_change,
    "staff_create": _created_role,
    "votes_release": _held_votes(released=True),
    "votes_discard": _held_votes(released=False),
}
