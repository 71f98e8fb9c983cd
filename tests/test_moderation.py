"""The moderation desk: each action's resulting state and its single audit entry."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from forum.extensions import db
from forum.models import (
    Article,
    AuditEntry,
    Ban,
    Comment,
    Flag,
    PollQuestion,
    Vote,
    WordRule,
    utcnow,
)
from tests.comment_helpers import add_flags, response_text
from tests.conftest import act, add_comment

OTHER_READER = "o" * 64


def comment_state(app, comment_id: int) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


def audit(app) -> list[AuditEntry]:
    """The moderation entries (the persona fixtures' account creations left out)."""
    with app.app_context():
        entries = (
            db.session.execute(
                select(AuditEntry)
                .where(AuditEntry.action.not_like("staff_%"))
                .order_by(AuditEntry.id)
            )
            .scalars()
            .all()
        )
        db.session.expunge_all()
        return entries


def assert_one_entry(app, action: str, member, comment_id: int | None = None) -> AuditEntry:
    entries = audit(app)
    assert [e.action for e in entries] == [action]
    entry = entries[0]
    assert entry.actor_id == member.user_id
    if comment_id is not None:
        assert entry.comment_id == comment_id
    return entry


# --- the queue ---------------------------------------------------------------------------


def test_pending_tab_shows_each_comment_with_its_context(app, moderator):
    parent = add_comment(
        app, body="Le message parent", reader_hash=OTHER_READER, author_name="Paul"
    )
    add_comment(app, body="Un ancien avis de Léa", author_name="Léa")
    held = add_comment(
        app,
        body="Réponse en attente",
        author_name="Léa",
        parent_id=parent,
        status="pending",
        pending_reason="first_comment",
    )
    add_flags(app, held, "spam", "spam", "hate", note="pub déguisée")
    with app.app_context():
        question = db.session.execute(
            select(PollQuestion).where(PollQuestion.key == "credibility")
        ).scalar_one()
        db.session.add(
            Vote(question_id=question.id, choice_id=question.choices[3].id, reader_hash="r" * 64)
        )
        db.session.commit()
    html = response_text(moderator.client.get("/moderation"))
    assert "Réponse en attente" in html
    assert "En attente (premier commentaire)" in html
    assert "En réponse à Paul" in html and "Le message parent" in html
    assert "Anthropic coupe l'accès d'OpenAI" in html
    assert "Spam × 2, Haine × 1" in html and "« pub déguisée »" in html
    assert "Un ancien avis de Léa" in html
    assert "Tout à fait crédible" in html
    for key in ("<kbd>j</kbd>", "<kbd>k</kbd>", "<kbd>a</kbd>", "<kbd>r</kbd>", "<kbd>f</kbd>"):
        assert key in html
    assert "js/moderation.js" in html


@pytest.mark.parametrize(
    "tab, shown, hidden",
    [
        ("pending", ["en attente"], ["publié", "refusé", "signalé"]),
        ("reported", ["signalé", "retenu par signalements"], ["publié", "refusé", "en attente"]),
        ("recent", ["publié", "refusé", "signalé", "en attente", "retenu par signalements"], []),
        ("rejected", ["refusé"], ["publié", "signalé", "en attente"]),
    ],
)
def test_tabs_select_their_comments(app, moderator, tab, shown, hidden):
    add_comment(app, body="publié")
    add_comment(app, body="refusé", status="rejected", reject_reason="Spam")
    add_comment(app, body="en attente", status="pending", pending_reason="premoderation")
    add_flags(app, add_comment(app, body="signalé"), "spam")
    add_flags(
        app,
        add_comment(app, body="retenu par signalements", status="pending", pending_reason="flags"),
        "spam",
        "spam",
        "spam",
    )
    html = response_text(moderator.client.get("/moderation", query_string={"tab": tab}))
    bodies = [
        b
        for b in ("publié", "refusé", "signalé", "en attente", "retenu par signalements")
        if f"<p>{b}</p>" in html
    ]
    assert sorted(bodies) == sorted(shown)
    assert not set(hidden) & set(bodies)


def test_comments_deleted_by_their_authors_leave_the_queues(app, moderator):
    pending = add_comment(
        app, body="", status="pending", pending_reason="premoderation", deleted_at=utcnow()
    )
    add_flags(app, add_comment(app, body="", deleted_at=utcnow()), "spam")
    add_comment(app, body="à relire", status="pending", pending_reason="premoderation")
    for tab in ("pending", "reported"):
        html = response_text(moderator.client.get("/moderation", query_string={"tab": tab}))
        assert html.count('class="queue-item"') == (1 if tab == "pending" else 0)
    html = response_text(moderator.client.get("/moderation"))
    assert "<p>à relire</p>" in html
    assert f'id="c-{pending}"' in response_text(moderator.client.get("/moderation?tab=recent"))


def test_unknown_tab_is_404(moderator):
    assert moderator.client.get("/moderation?tab=nope").status_code == 404


def test_queue_queries_do_not_grow_with_its_length(app, moderator):
    def queries_for_page() -> int:
        count = 0

        def counter(*_args):
            nonlocal count
            count += 1

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            assert moderator.client.get("/moderation?tab=recent").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", counter)
        return count

    parent = add_comment(app)
    add_comment(app, parent_id=parent)
    few = queries_for_page()
    assert few >= 8  # the listener does see the page's queries
    for number in range(12):
        reply = add_comment(
            app,
            parent_id=parent,
            reader_hash=f"{number:064d}",
            status="pending" if number % 2 else "approved",
        )
        add_flags(app, reply, "spam")
    assert queries_for_page() == few


# --- single actions ----------------------------------------------------------------------


def test_approve_a_pending_comment(app, moderator):
    comment_id = add_comment(app, status="pending", pending_reason="premoderation")
    response = act(moderator, comment_id, "approve", next="/moderation?tab=pending#c-9")
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderation?tab=pending#c-9"
    comment = comment_state(app, comment_id)
    assert (comment.status, comment.pending_reason) == ("approved", None)
    assert_one_entry(app, "approve", moderator, comment_id)
    assert "Commentaire approuvé." in response_text(moderator.client.get("/moderation"))


def test_approving_a_reported_comment_resolves_its_flags(app, moderator):
    comment_id = add_comment(app, status="pending", pending_reason="flags")
    add_flags(app, comment_id, "spam", "hate", "other")
    assert act(moderator, comment_id, "approve").status_code == 303
    comment = comment_state(app, comment_id)
    assert (comment.status, comment.flag_count) == ("approved", 0)
    with app.app_context():
        assert all(f.resolved_at for f in db.session.execute(select(Flag)).scalars())
    assert_one_entry(app, "approve", moderator, comment_id)
    assert "<p>Un commentaire de lecteur.</p>" not in response_text(
        moderator.client.get("/moderation?tab=reported")
    )


def test_approve_something_already_published_is_a_conflict(app, moderator):
    comment_id = add_comment(app)
    response = act(moderator, comment_id, "approve")
    assert response.status_code == 409
    assert "déjà publié" in response_text(response)
    assert audit(app) == []


def test_reject_with_a_reason(app, moderator):
    comment_id = add_comment(app, featured_at=utcnow())
    add_flags(app, comment_id, "off_topic")
    response = act(moderator, comment_id, "reject", reason="off_topic", note="parle de foot")
    assert response.status_code == 303
    comment = comment_state(app, comment_id)
    assert comment.status == "rejected"
    assert comment.reject_reason == "Hors sujet : parle de foot"
    assert comment.featured_at is None and comment.flag_count == 0
    entry = assert_one_entry(app, "reject", moderator, comment_id)
    assert entry.reason == "Hors sujet : parle de foot"
    assert entry.reader_hash == comment.reader_hash and entry.article_id == comment.article_id


def test_no_reject_reason_is_preselected(app, moderator):
    add_comment(app, status="pending")
    html = response_text(moderator.client.get("/moderation"))
    first_options = re.findall(r'<select[^>]* name="reason"[^>]*><option ([^>]*)>([^<]*)<', html)
    assert len(first_options) == 2  # the bulk form and the comment's reject form
    for attributes, label in first_options:
        assert attributes == 'value=""' and label == "Choisir une raison…"


def test_reject_without_a_reason_says_what_is_missing(app, moderator):
    comment_id = add_comment(app, status="pending")
    response = act(moderator, comment_id, "reject", reason="")
    assert response.status_code == 400
    assert "Choisissez la raison du refus." in response_text(response)
    assert comment_state(app, comment_id).status == "pending"
    assert audit(app) == []


def test_bulk_approve_sent_with_no_reason_chosen(app, moderator):
    ids = [add_comment(app, status="pending") for _ in range(2)]
    data = {"action": "approve", "comment_ids": ids, "reason": "", "note": ""}
    assert moderator.post_form("/moderation/bulk", data).status_code == 303
    assert {comment_state(app, c).status for c in ids} == {"approved"}


def test_bulk_reject_without_a_reason_is_refused(app, moderator):
    ids = [add_comment(app, status="pending") for _ in range(2)]
    data = {"action": "reject", "comment_ids": ids, "reason": ""}
    response = moderator.post_form("/moderation/bulk", data)
    assert response.status_code == 400
    assert "Précisez la raison du refus." in response_text(response)
    assert {comment_state(app, c).status for c in ids} == {"pending"}


def test_reject_for_another_reason_needs_the_detail(app, moderator):
    comment_id = add_comment(app)
    response = act(moderator, comment_id, "reject", reason="other")
    assert response.status_code == 400
    assert "Précisez la raison du refus." in response_text(response)
    assert comment_state(app, comment_id).status == "approved"
    act(moderator, comment_id, "reject", reason="other", note="Lien douteux")
    assert comment_state(app, comment_id).reject_reason == "Lien douteux"


def test_reject_with_an_unknown_reason_is_refused(app, moderator):
    comment_id = add_comment(app)
    assert act(moderator, comment_id, "reject", reason="because").status_code == 400
    assert audit(app) == []


def test_restore_a_rejected_comment(app, moderator):
    comment_id = add_comment(app, status="rejected", reject_reason="Spam")
    assert act(moderator, comment_id, "restore").status_code == 303
    comment = comment_state(app, comment_id)
    assert (comment.status, comment.reject_reason) == ("approved", None)
    assert_one_entry(app, "restore", moderator, comment_id)
    assert act(moderator, comment_id, "restore").status_code == 409


def test_feature_then_unfeature(app, moderator):
    comment_id = add_comment(app)
    assert act(moderator, comment_id, "feature").status_code == 303
    assert comment_state(app, comment_id).featured_at is not None
    assert_one_entry(app, "feature", moderator, comment_id)
    assert act(moderator, comment_id, "feature").status_code == 409
    assert act(moderator, comment_id, "unfeature").status_code == 303
    assert comment_state(app, comment_id).featured_at is None
    assert [e.action for e in audit(app)] == ["feature", "unfeature"]


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "pending", "pending_reason": "premoderation"},
        {"status": "rejected", "reject_reason": "Spam"},
        {"deleted_at": utcnow()},
    ],
)
def test_only_published_comments_can_be_featured(app, moderator, fields):
    comment_id = add_comment(app, **fields)
    assert act(moderator, comment_id, "feature").status_code == 409
    assert comment_state(app, comment_id).featured_at is None


def test_unknown_comment_or_action_is_404(app, moderator):
    comment_id = add_comment(app)
    assert act(moderator, 999999, "approve").status_code == 404
    assert act(moderator, comment_id, "delete").status_code == 404


def test_external_next_is_ignored_after_an_action(app, moderator):
    comment_id = add_comment(app, status="pending")
    response = act(moderator, comment_id, "approve", next="//evil.example/")
    assert response.headers["Location"] == "/moderation"


# --- bans --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "duration, length",
    [
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("30d", timedelta(days=30)),
        ("permanent", None),
    ],
)
def test_ban_the_author(app, moderator, duration, length):
    comment_id = add_comment(app)
    before = utcnow()
    response = act(moderator, comment_id, "ban", duration=duration, reason="insultes")
    assert response.status_code == 303
    with app.app_context():
        ban = db.session.execute(select(Ban)).scalar_one()
        assert ban.reader_hash == "r" * 64 and ban.address_hash is None
        assert ban.reason == "insultes" and ban.created_by_id == moderator.user_id
        if length is None:
            assert ban.expires_at is None
        else:
            assert before + length <= ban.expires_at <= utcnow() + length
    entry = assert_one_entry(app, "ban", moderator, comment_id)
    assert entry.reason == "insultes" and f"duration={duration}" in entry.details


def test_ban_can_cover_the_address(app, moderator):
    comment_id = add_comment(app)
    act(moderator, comment_id, "ban", duration="24h", reason="spam", include_address="y")
    with app.app_context():
        assert db.session.execute(select(Ban.address_hash)).scalar_one() == "a" * 64


@pytest.mark.parametrize(
    "data, message",
    [
        ({"duration": "1y", "reason": "x"}, "N'est pas un choix valide."),
        ({"duration": "24h", "reason": ""}, "Indiquez une raison."),
    ],
)
def test_ban_needs_a_known_duration_and_a_reason(app, moderator, count_rows, data, message):
    response = act(moderator, add_comment(app), "ban", **data)
    assert response.status_code == 400
    assert message in response_text(response)
    assert count_rows(Ban) == 0 and audit(app) == []


def test_bans_page_lists_and_lifts(app, moderator):
    comment_id = add_comment(app)
    act(moderator, comment_id, "ban", duration="7d", reason="troll")
    html = response_text(moderator.client.get("/moderation/bans"))
    assert "troll" in html and "Lever" in html
    with app.app_context():
        ban_id = db.session.execute(select(Ban.id)).scalar_one()
    response = moderator.post_form(f"/moderation/bans/{ban_id}/lift", {}, page="/moderation/bans")
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Ban, ban_id).lifted_at is not None
    assert [e.action for e in audit(app)] == ["ban", "unban"]
    assert "Aucun bannissement en cours." in response_text(moderator.client.get("/moderation/bans"))
    again = moderator.post_form(f"/moderation/bans/{ban_id}/lift", {}, page="/moderation/bans")
    assert again.status_code == 409


# --- bulk --------------------------------------------------------------------------------


def test_bulk_approve_skips_what_does_not_apply(app, moderator):
    held = [add_comment(app, status="pending", pending_reason="premoderation") for _ in range(2)]
    published = add_comment(app)
    response = moderator.post_form(
        "/moderation/bulk",
        {
            "action": "approve",
            "comment_ids": [*held, published],
            "reason": "spam",
            "next": "/moderation?tab=pending",
        },
    )
    assert response.status_code == 303
    assert all(comment_state(app, c).status == "approved" for c in held)
    entries = audit(app)
    assert [(e.action, e.comment_id) for e in entries] == [("approve", c) for c in held]
    html = response_text(moderator.client.get(response.headers["Location"]))
    assert "2 commentaires traités. 1 ignoré" in html


def test_bulk_reject_uses_the_reason(app, moderator):
    ids = [add_comment(app, status="pending") for _ in range(3)]
    moderator.post_form(
        "/moderation/bulk", {"action": "reject", "comment_ids": ids, "reason": "spam"}
    )
    assert {comment_state(app, c).reject_reason for c in ids} == {"Publicité ou spam"}
    assert [e.action for e in audit(app)] == ["reject"] * 3


def test_bulk_needs_a_selection(app, moderator):
    add_comment(app, status="pending")
    response = moderator.post_form("/moderation/bulk", {"action": "approve"})
    assert response.status_code == 400
    assert "Sélectionnez au moins un commentaire." in response_text(response)


# --- article settings --------------------------------------------------------------------


def test_article_settings_change_and_are_audited(app, moderator):
    with app.app_context():
        article = db.session.execute(select(Article)).scalars().first()
        prefix, slug = f"a{article.id}-", article.slug
    page = "/moderation/articles"
    assert 'value="none"' in response_text(moderator.client.get(page))
    response = moderator.post_form(
        f"/moderation/articles/{slug}/settings",
        {
            prefix + "discussion_open": "0",
            prefix + "poll_open": "0",
            prefix + "premoderation": "first",
            prefix + "flag_threshold": "5",
        },
        page=page,
    )
    assert response.status_code == 303
    with app.app_context():
        article = db.session.execute(select(Article)).scalars().first()
        assert (
            article.discussion_open,
            article.poll_open,
            article.premoderation,
            article.flag_threshold,
        ) == (False, False, "first", 5)
    entry = assert_one_entry(app, "article_settings", moderator)
    assert "premoderation: none -> first" in entry.details
    assert "Réglages enregistrés" in response_text(
        moderator.client.get(response.headers["Location"])
    )
    # The same values again: nothing changes, nothing is logged.
    moderator.post_form(
        f"/moderation/articles/{slug}/settings",
        {
            prefix + "discussion_open": "0",
            prefix + "poll_open": "0",
            prefix + "premoderation": "first",
            prefix + "flag_threshold": "5",
        },
        page=page,
    )
    assert len(audit(app)) == 1


@pytest.mark.parametrize(
    "field, value",
    [("premoderation", "sometimes"), ("flag_threshold", "0"), ("discussion_open", "maybe")],
)
def test_article_settings_refuse_bad_values(app, moderator, field, value):
    with app.app_context():
        article = db.session.execute(select(Article)).scalars().first()
        prefix, slug = f"a{article.id}-", article.slug
    data = {
        prefix + "discussion_open": "1",
        prefix + "poll_open": "1",
        prefix + "premoderation": "none",
        prefix + field: value,
    }
    response = moderator.post_form(
        f"/moderation/articles/{slug}/settings", data, page="/moderation/articles"
    )
    assert response.status_code == 400
    assert audit(app) == []


# --- word lists (admins) -----------------------------------------------------------------


def test_admin_manages_word_lists(app, admin):
    page = "/moderation/words"
    response = admin.post_form(page, {"word": "  Crétin ", "kind": "banned"}, page=page)
    assert response.status_code == 303
    with app.app_context():
        rule = db.session.execute(select(WordRule)).scalar_one()
        assert (rule.word, rule.normalized, rule.kind) == ("Crétin", "cretin", "banned")
        rule_id = rule.id
    duplicate = admin.post_form(page, {"word": "CRETIN", "kind": "banned"}, page=page)
    assert duplicate.status_code == 400
    assert "Ce mot est déjà dans cette liste." in response_text(duplicate)
    assert 'value="CRETIN"' in response_text(duplicate)
    empty = admin.post_form(page, {"word": "!!", "kind": "suspect"}, page=page)
    assert empty.status_code == 400
    assert admin.post_form(f"/moderation/words/{rule_id}/delete", {}, page=page).status_code == 303
    with app.app_context():
        assert db.session.execute(select(WordRule)).first() is None
    assert [e.action for e in audit(app)] == ["word_add", "word_remove"]


def test_moderators_cannot_edit_word_lists(app, moderator, count_rows):
    response = moderator.client.post(
        "/moderation/words", data={"csrf_token": moderator.token(), "word": "x", "kind": "banned"}
    )
    assert response.status_code == 403
    assert count_rows(WordRule) == 0


# --- audit log and dashboard -------------------------------------------------------------


def test_admin_reads_and_filters_the_audit_log(app, admin, moderator):
    first, second = add_comment(app, status="pending"), add_comment(app)
    act(moderator, first, "approve")
    act(admin, second, "feature")
    html = response_text(admin.client.get("/moderation/audit"))
    assert f"Moderatrice</strong> a approuvé le commentaire n° {first}" in html
    assert f"Admin</strong> a mis en avant le commentaire n° {second}" in html
    only_features = response_text(admin.client.get("/moderation/audit?action=feature"))
    assert f"commentaire n° {second}" in only_features
    assert f"commentaire n° {first}" not in only_features
    by_actor = response_text(admin.client.get(f"/moderation/audit?actor={moderator.user_id}"))
    assert f"commentaire n° {first}" in by_actor and f"commentaire n° {second}" not in by_actor
    assert "Aucune entrée" in response_text(
        admin.client.get(f"/moderation/audit?comment={first}&action=feature")
    )
    assert moderator.client.get("/moderation/audit").status_code == 403


def test_audit_log_has_no_write_path(app):
    audit_rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert audit_rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in audit_rules)


def test_audit_entries_cannot_be_changed_or_deleted(app, moderator):
    from forum.moderation.services import AuditLogIsAppendOnly

    act(moderator, add_comment(app, status="pending"), "approve")
    with app.app_context():
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "approve")
        ).scalar_one()
        entry.reason = "rewritten"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.commit()
        db.session.rollback()
        db.session.delete(entry)
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.commit()
        db.session.rollback()
    assert [e.reason for e in audit(app)] == [""]


def test_dashboard_counts(app, moderator, reader):
    add_comment(app, status="pending")
    add_comment(app, status="pending", pending_reason="first_comment")
    add_flags(app, add_comment(app), "spam", "hate")
    reader.vote({"credibility": 1, "relevance": 2})
    html = response_text(moderator.client.get("/moderation/dashboard"))
    assert "<strong>2</strong> commentaires en attente" in html
    assert "<strong>1</strong> commentaire signalé" in html
    # Today: 3 comments, 2 votes (one per question).
    assert "<td>3</td><td>2</td>" in html
    assert "2 signalements non traités" in html


# --- CSRF on every staff form ------------------------------------------------------------


def staff_post_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint.split(".")[0] in ("auth", "moderation"):
            values = {name: "1" if name.endswith("_id") else "approve" for name in rule.arguments}
            if "slug" in rule.arguments:
                values["slug"] = "anthropic-coupe-acces-openai-api-claude"
            urls.append(rule.build(values)[1])
    return urls


def test_every_staff_form_requires_a_csrf_token(app, admin):
    comment_id = add_comment(app, status="pending")
    assert comment_id == 1
    urls = staff_post_urls(app)
    assert len(urls) >= 10
    for url in urls:
        response = admin.client.post(
            url,
            data={
                "reason": "spam",
                "duration": "24h",
                "word": "x",
                "kind": "banned",
                "comment_ids": [1],
                "action": "approve",
            },
        )
        assert response.status_code == 400, url
        assert "jeton de sécurité" in response_text(response), url
    assert audit(app) == []
    assert comment_state(app, comment_id).status == "pending"
    assert admin.client.get("/moderation").status_code == 200
