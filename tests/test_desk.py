"""The moderation desk reads as French for people: the audit log in sentences, counts with
their plural, comments their authors deleted shown as such and no longer waiting."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from forum.moderation.audit_text import ACTION_LABELS, ACTION_SENTENCES
from tests.comment_helpers import add_flags, comments, post_comment, response_text
from tests.conftest import Reader, act, add_comment

FORUM = Path(__file__).resolve().parents[1] / "forum"
AUDIT_WRITERS = {"record", "record_account_change"}


def written_action_codes() -> set[str]:
    """Every action code a call to an audit writer in forum/ can store."""
    codes = set()
    for path in FORUM.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in AUDIT_WRITERS:
                codes |= {
                    n.value
                    for n in ast.walk(node.args[1])
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
    return codes


def test_every_action_the_code_can_write_has_a_sentence_and_a_filter_label():
    codes = written_action_codes()
    assert {"approve", "ban", "article_settings", "staff_enable", "staff_disable"} <= codes
    assert codes - ACTION_SENTENCES.keys() == set()
    assert codes - ACTION_LABELS.keys() == set()


def audit_text(admin) -> str:
    """The audit log as a reader sees it: its text, without the markup or the filters."""
    html = response_text(admin.client.get("/moderation/audit"))
    log = html.split('class="audit-log"', 1)[1].split(">", 1)[1].split("</ol>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", log).split())


def test_audit_log_tells_every_action_in_french(app, admin, moderator, runner):
    held = add_comment(app, status="pending", pending_reason="first_comment")
    other = add_comment(app)
    for action in ("approve", "feature", "unfeature"):
        act(moderator, held, action)
    act(moderator, other, "reject", reason="off_topic", note="parle d'autre chose")
    act(moderator, other, "restore")
    act(moderator, held, "ban", duration="7d", reason="Insultes répétées")
    ban_id = re.search(
        r"/moderation/bans/(\d+)/lift", response_text(moderator.client.get("/moderation/bans"))
    )
    moderator.post_form(f"/moderation/bans/{ban_id.group(1)}/lift", {}, "/moderation/bans")
    settings = {
        "a1-discussion_open": "0",
        "a1-poll_open": "0",
        "a1-premoderation": "all",
        "a1-flag_threshold": "5",
    }
    slug = "anthropic-coupe-acces-openai-api-claude"
    moderator.post_form(f"/moderation/articles/{slug}/settings", settings, "/moderation/articles")
    words = "/moderation/words"
    admin.post_form(words, {"word": "arnaque", "kind": "suspect"}, words)
    rule = re.search(r"/moderation/words/(\d+)/delete", response_text(admin.client.get(words)))
    admin.post_form(f"/moderation/words/{rule.group(1)}/delete", {}, words)
    assert runner.invoke(args=["staff", "set-role", moderator.email, "admin"]).exit_code == 0
    assert runner.invoke(args=["staff", "disable", moderator.email]).exit_code == 0
    assert runner.invoke(args=["staff", "enable", moderator.email]).exit_code == 0

    log = audit_text(admin)
    for sentence in (
        f"Moderatrice a approuvé le commentaire n° {held}. il était en attente"
        " (premier commentaire)",
        f"Moderatrice a mis en avant le commentaire n° {held}.",
        f"Moderatrice a retiré de la une le commentaire n° {held}.",
        f"Moderatrice a refusé le commentaire n° {other}. raison donnée à l'auteur : Hors sujet"
        " : parle d'autre chose",
        f"Moderatrice a rétabli le commentaire n° {other}. il avait été refusé : Hors sujet",
        f"Moderatrice a banni l'auteur du commentaire n° {held}. raison : Insultes répétées"
        " durée : 7 jours ses commentaires venant de la même adresse attendent une relecture",
        "Moderatrice a levé un bannissement.",
        "Moderatrice a changé les réglages de l'article « Anthropic coupe l'accès d'OpenAI",
        "a fermé la discussion a fermé le sondage",
        "pré-modération : « Aucune : publication immédiate » devient « Tous les commentaires »",
        "seuil de signalements : réglage général devient 5",
        "Admin a ajouté un mot. « arnaque » aux mots suspects",
        "Admin a retiré un mot. « arnaque » des mots suspects",
        "La console d'administration a changé le rôle de Moderatrice. de modérateur à"
        " administrateur",
        "La console d'administration a désactivé le compte de Moderatrice.",
        "La console d'administration a réactivé le compte de Moderatrice.",
        "La console d'administration a créé le compte de Admin. rôle : administrateur",
    ):
        assert sentence in log, log
    codes = ("article_settings", "word_add", "staff_", "duration=", "address=", "->", "was:")
    assert [code for code in codes if code in log] == []


def test_audit_filter_offers_actions_by_their_french_name(app, admin, moderator):
    act(moderator, add_comment(app, status="pending"), "approve")
    html = response_text(admin.client.get("/moderation/audit"))
    assert '<option value="approve">Approbations</option>' in html
    assert ">approve<" not in html


@pytest.mark.parametrize(
    "pending, reported, shown",
    [
        (0, 1, ["0 commentaire en attente", "1 commentaire signalé"]),
        (2, 3, ["2 commentaires en attente", "3 commentaires signalés"]),
    ],
)
def test_dashboard_counts_agree_in_number(app, moderator, pending, reported, shown):
    for _n in range(pending):
        add_comment(app, status="pending")
    for _n in range(reported):
        add_flags(app, add_comment(app), "spam")
    html = response_text(moderator.client.get("/moderation/dashboard"))
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    for phrase in shown:
        assert phrase in page


def test_flags_on_a_comment_its_author_deleted_stop_waiting(app, moderator):
    author, flagger = Reader(app), Reader(app)
    post_comment(author, "Un avis que son auteur retirera.")
    comment_id = comments(app)[-1].id
    flag = f"/comments/{comment_id}/flag"
    assert flagger.post_form(flag, {"reason": "spam"}, flag).status_code in (302, 303)
    assert "1 signalement non traité" in response_text(
        moderator.client.get("/moderation/dashboard")
    )

    assert author.post_form(f"/comments/{comment_id}/delete", {"confirm": "y"}).status_code == 302

    html = response_text(moderator.client.get("/moderation/dashboard"))
    assert "signalement non traité" not in html
    assert "Aucun signalement en attente." in html


def test_recent_tab_shows_deleted_comments_as_deleted_with_nothing_to_do(app, moderator):
    author = Reader(app)
    post_comment(author, "Un avis que son auteur efface.", pseudonym="Zoé")
    deleted = comments(app)[-1].id
    assert author.post_form(f"/comments/{deleted}/delete", {"confirm": "y"}).status_code == 302
    erased = add_comment(app, body="", author_name="", deleted_at=comments(app)[-1].deleted_at)

    html = response_text(moderator.client.get("/moderation?tab=recent"))
    rows = {
        int(m.group(1)): m.group(0)
        for m in re.finditer(
            r'<li class="queue-item" id="c-(\d+)".*?</li>\s*(?=<li class="queue-item"|</ol>)',
            html,
            re.S,
        )
    }
    assert "Zoé" in rows[deleted] and "Auteur effacé" in rows[erased]
    for row in (rows[deleted], rows[erased]):
        assert "Texte supprimé par son auteur" in row
        assert "<button" not in row  # nothing to approve, feature, reject or ban
        assert "<h3" in row and not re.search(r"<h3[^>]*>\s*</h3>", row)
