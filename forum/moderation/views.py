from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forum.articles.services import get_article
from forum.auth.access import admin_required, keep_out_of_caches, staff_required
from forum.auth.services import safe_next
from forum.extensions import db
from forum.languages.numbers import counted
from forum.limits import rate_limit
from forum.models import Article, Ban, Comment, WordRule
from forum.moderation import held_votes, services
from forum.moderation.audit_text import ACTION_LABELS, describe, detail_phrases
from forum.moderation.forms import (
    FLAG_LABELS,
    PENDING_LABELS,
    TAB_LABELS,
    ArticleSettingsForm,
    BanForm,
    BulkForm,
    HeldVotesForm,
    RejectForm,
    StaffActionForm,
    WordForm,
)
from forum.moderation.queue import TABS, load_comments, load_queue
from forum.moderation.reports import AuditFilters, audit_choices, load_audit, load_dashboard
from forum.parsing import bounded_int
from forum.polls.ballot import burst_rule
from forum.polls.reasons import MAX_REASONS, offered_labels

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
bp.after_request(keep_out_of_caches)

DONE_MESSAGES = {
    "approve": _l("Commentaire approuvé."),
    "reject": _l("Commentaire refusé."),
    "restore": _l("Commentaire rétabli."),
    "feature": _l("Commentaire mis en avant."),
    "unfeature": _l("Commentaire retiré de la une."),
}


def _page_arg() -> int:
    return bounded_int(request.args.get("page"), default=1, maximum=9_999)


def _checked(form) -> None:
    """Refuse an invalid form with its first error as the message."""
    if not form.validate_on_submit():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        abort(400, description=errors[0] if errors else None)


def _back(form, fallback: str = "moderation.queue"):
    return redirect(safe_next(form.next.data) or url_for(fallback), code=303)


def _locked(model, row_id: int):
    """The row, locked until commit: two moderators acting at once are serialized, so the
    second one sees the first one's result (409) instead of writing a second audit entry."""
    return db.session.get(model, row_id, with_for_update=True) or abort(404)


def _act(action, *args) -> None:
    try:
        action(*args)
    except services.ActionRefused as refused:
        abort(409, description=str(refused))


@bp.get("")
@staff_required
def queue():
    """Show one tab of the moderation queue."""
    tab = request.args.get("tab", "pending")
    if tab not in TABS:
        abort(404)
    return render_template(
        "moderation/queue.html",
        queue=load_queue(tab, _page_arg()),
        tabs=TABS,
        action_form=StaffActionForm(),
        reject_form=RejectForm(),
        ban_form=BanForm(),
        bulk_form=BulkForm(),
        flag_labels=FLAG_LABELS,
        pending_labels=PENDING_LABELS,
        tab_labels=TAB_LABELS,
    )


@bp.post("/comments/<int:comment_id>/<action>")
@staff_required
@rate_limit("moderation")
def act_on_comment(comment_id: int, action: str):
    """Approve, restore, feature or unfeature one comment."""
    if action not in services.COMMENT_ACTIONS or action == "reject":
        abort(404)
    comment = _locked(Comment, comment_id)
    form = StaffActionForm()
    _checked(form)
    _act(services.COMMENT_ACTIONS[action], comment, current_user)
    db.session.commit()
    flash(str(DONE_MESSAGES[action]), "success")
    return _back(form)


@bp.post("/comments/<int:comment_id>/reject")
@staff_required
@rate_limit("moderation")
def reject(comment_id: int):
    """Reject one comment with a reason its author will see."""
    comment = _locked(Comment, comment_id)
    form = RejectForm()
    _checked(form)
    if not form.reason_text():
        abort(400, description=_("Précisez la raison du refus."))
    _act(services.reject, comment, current_user, form.reason_text())
    db.session.commit()
    flash(str(DONE_MESSAGES["reject"]), "success")
    return _back(form)


@bp.post("/comments/<int:comment_id>/ban")
@staff_required
@rate_limit("moderation")
def ban(comment_id: int):
    """Ban the author of a comment for a while."""
    comment = _locked(Comment, comment_id)
    form = BanForm()
    _checked(form)
    _act(
        services.ban_author,
        comment,
        current_user,
        form.duration.data,
        form.reason.data,
        form.include_address.data,
    )
    db.session.commit()
    flash(_("L'auteur de ce commentaire est banni."), "success")
    return _back(form)


@bp.post("/bulk")
@staff_required
@rate_limit("moderation")
def bulk():
    """Apply one action to every selected comment it fits."""
    form = BulkForm()
    _checked(form)
    reason = form.reason_text() if form.action.data == "reject" else ""
    if form.action.data == "reject" and not reason:
        abort(400, description=_("Précisez la raison du refus."))
    done, skipped = services.apply_to_selection(
        form.action.data, load_comments(form.comment_ids.data, lock=True), current_user, reason
    )
    db.session.commit()
    flash(bulk_message(done, skipped), "success")
    return _back(form)


def bulk_message(done: int, skipped: int) -> str:
    """How many selected comments the action changed, and how many it left alone."""
    message = counted("%(num)s commentaire traité.", "%(num)s commentaires traités.", done)
    if skipped:
        message += " " + counted(
            "%(num)s ignoré (action sans effet sur lui).",
            "%(num)s ignorés (action sans effet sur eux).",
            skipped,
        )
    return message


@bp.get("/articles")
@staff_required
def articles():
    """List every article with its discussion settings."""
    rows = db.session.execute(db.select(Article).order_by(Article.published_at.desc())).scalars()
    reasons = offered_labels()
    forms = [(article, _settings_form(article, reasons.get(article.id, []))) for article in rows]
    return render_template("moderation/articles.html", forms=forms, max_reasons=MAX_REASONS)


def _settings_form(article: Article, reasons: list[str]) -> ArticleSettingsForm:
    return ArticleSettingsForm(
        prefix=f"a{article.id}",
        formdata=None,
        discussion_open="1" if article.discussion_open else "0",
        poll_open="1" if article.poll_open else "0",
        premoderation=article.premoderation,
        flag_threshold=article.flag_threshold,
        reasons="\n".join(reasons),
    )


@bp.get("/articles/<slug>/integrite")
@staff_required
def vote_integrity(slug: str):
    """The article's held votes by address and window, their history, and the decisions."""
    article = get_article(slug) or abort(404)
    rule = burst_rule()
    groups = held_votes.held_groups(article.id, rule)
    return render_template(
        "moderation/integrity.html",
        article=article,
        rule=rule,
        groups=groups,
        held_voters=held_votes.held_voters(article.id),
        hours=held_votes.timeline(article.id),
        decisions=[
            (entry, actor, detail_phrases(entry))
            for entry, actor in held_votes.decisions(article.id)
        ],
    )


@bp.post("/articles/<slug>/integrite")
@staff_required
@rate_limit("moderation")
def decide_held_votes(slug: str):
    """Release or discard held votes: one group's, or all of the article's."""
    article = get_article(slug) or abort(404)
    form = HeldVotesForm()
    _checked(form)
    if form.release.data == form.discard.data:
        abort(400, description=_("Choisissez : libérer ou écarter."))
    window = None
    if form.window.data:
        window = held_votes.parse_window(form.window.data) or abort(400)
    decision = "release" if form.release.data else "discard"
    changed = held_votes.decide(
        article,
        decision,
        current_user,
        burst_rule(),
        address_hash=form.address.data or None,
        window=window,
    )
    db.session.commit()
    message = (
        counted(
            "%(num)s vote libéré : il est compté.",
            "%(num)s votes libérés : ils sont comptés.",
            changed,
        )
        if decision == "release"
        else counted(
            "%(num)s vote écarté : il n'est pas compté.",
            "%(num)s votes écartés : ils ne sont pas comptés.",
            changed,
        )
    )
    flash(message, "success")
    return redirect(url_for("moderation.vote_integrity", slug=slug), code=303)


@bp.post("/articles/<slug>/settings")
@staff_required
@rate_limit("moderation")
def article_settings(slug: str):
    """Open or close an article's discussion and poll, and set how it is moderated."""
    article = get_article(slug) or abort(404)
    form = ArticleSettingsForm(prefix=f"a{article.id}")
    _checked(form)
    changed = services.update_article_settings(
        article,
        current_user,
        discussion_open=form.discussion_open.data == "1",
        poll_open=form.poll_open.data == "1",
        premoderation=form.premoderation.data,
        flag_threshold=form.flag_threshold.data,
        reasons=form.reason_labels,
    )
    db.session.commit()
    flash(
        _("Réglages enregistrés pour « %(title)s ».", title=article.title)
        if changed
        else _("Aucun changement."),
        "success",
    )
    return redirect(url_for("moderation.articles", _anchor=f"article-{article.id}"), code=303)


@bp.get("/words")
@admin_required
def words():
    """Show the banned and suspect word lists."""
    return _render_words(WordForm())


def _render_words(form: WordForm, status: int = 200):
    rules = db.session.execute(db.select(WordRule).order_by(WordRule.kind, WordRule.word))
    return render_template(
        "moderation/words.html",
        form=form,
        rules=rules.scalars().all(),
        delete_form=StaffActionForm(),
    ), status


@bp.post("/words")
@admin_required
@rate_limit("moderation")
def add_word():
    """Add a word to the banned or suspect list."""
    form = WordForm()
    if not form.validate_on_submit():
        return _render_words(form, 400)
    try:
        services.add_word(form.word.data, form.kind.data, current_user)
    except services.ActionRefused as refused:
        form.word.errors.append(str(refused))
        return _render_words(form, 400)
    db.session.commit()
    flash(_("Mot ajouté."), "success")
    return redirect(url_for("moderation.words"), code=303)


@bp.post("/words/<int:rule_id>/delete")
@admin_required
@rate_limit("moderation")
def delete_word(rule_id: int):
    """Remove a word from its list."""
    rule = _locked(WordRule, rule_id)
    _checked(StaffActionForm())
    services.remove_word(rule, current_user)
    db.session.commit()
    flash(_("Mot retiré de la liste."), "success")
    return redirect(url_for("moderation.words"), code=303)


@bp.get("/bans")
@staff_required
def bans():
    """List the bans in force."""
    return render_template(
        "moderation/bans.html", bans=services.active_bans(), lift_form=StaffActionForm()
    )


@bp.post("/bans/<int:ban_id>/lift")
@staff_required
@rate_limit("moderation")
def lift_ban(ban_id: int):
    """End a ban before it expires."""
    ban = _locked(Ban, ban_id)
    _checked(StaffActionForm())
    _act(services.lift_ban, ban, current_user)
    db.session.commit()
    flash(_("Bannissement levé."), "success")
    return redirect(url_for("moderation.bans"), code=303)


@bp.get("/dashboard")
@staff_required
def dashboard():
    """Show the queue counts and the discussion's activity."""
    return render_template("moderation/dashboard.html", dashboard=load_dashboard())


@bp.get("/audit")
@admin_required
def audit():
    """Show the audit log, newest first, with filters."""
    filters = _audit_filters()
    entries, has_next = load_audit(filters, _page_arg())
    actions, staff, all_articles = audit_choices()
    staff_names = {u.id: u.display_name for u in staff}
    article_titles = {a.id: a.title for a in all_articles}
    return render_template(
        "moderation/audit.html",
        lines=[describe(entry, staff_names, article_titles) for entry in entries],
        has_next=has_next,
        page=_page_arg(),
        filters=filters,
        actions=[(code, ACTION_LABELS.get(code, code)) for code in actions],
        staff=staff,
        articles=all_articles,
        query_args={k: v for k, v in request.args.items() if k != "page" and v},
    )


def _audit_filters() -> AuditFilters:
    def number(name: str) -> int | None:
        return bounded_int(request.args.get(name))

    return AuditFilters(
        action=request.args.get("action", "")[:40],
        actor_id=number("actor"),
        article_id=number("article"),
        comment_id=number("comment"),
        reader_hash=request.args.get("reader", "").strip()[:64],
    )
