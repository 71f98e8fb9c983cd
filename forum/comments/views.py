from __future__ import annotations

from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from forum.article_pages.assembly import render_article_page
from forum.articles.services import get_article
from forum.comments.forms import ActionForm, CommentForm, EditForm, FlagForm
from forum.comments.page import discussion_settings, staff_author, viewer_for
from forum.comments.services import (
    Author,
    CommentError,
    check_editable,
    delete_comment,
    edit_comment,
    flag_comment,
    flag_threshold,
    post_comment,
    preview_html,
    toggle_useful,
)
from forum.comments.spam import check_body, check_posting_delay, spam_rules
from forum.comments.thread import latest_public, thread_page
from forum.extensions import db
from forum.limits import rate_limit
from forum.models import Article, Comment
from forum.polls.services import load_questions
from forum.readers import current_address_hash, current_reader_hash, ensure_reader_hash

bp = Blueprint("comments", __name__)


def _author() -> Author:
    return Author(ensure_reader_hash(), current_address_hash(), staff_author())


def _comment_and_article(comment_id: int) -> tuple[Comment, Article]:
    comment = db.session.get(Comment, comment_id) or abort(404)
    return comment, db.session.get(Article, comment.article_id)


def _location(comment: Comment, article: Article) -> str:
    """Where the comment is shown to this reader: its page and anchor, else the discussion."""
    viewer = viewer_for(current_reader_hash(), load_questions(article))
    page = thread_page(comment, article, viewer)
    if page is None:
        return url_for("articles.show", slug=article.slug, _anchor="discussion")
    return url_for(
        "articles.show",
        slug=article.slug,
        page=page if page > 1 else None,
        _anchor=f"c{comment.id}",
    )


def _reshow(
    article: Article, form: CommentForm, error: str | None, status: int, preview: str | None = None
):
    page = 1
    parent = db.session.get(Comment, form.parent_id.data) if form.parent_id.data else None
    if parent is not None and parent.article_id == article.id:
        viewer = viewer_for(current_reader_hash(), load_questions(article))
        page = thread_page(parent, article, viewer) or 1
    else:
        form.parent_id.data = None
    return render_article_page(
        article,
        comment_form=form,
        comment_error=error,
        comment_preview=preview,
        status=status,
        discussion_page=page,
    )


@bp.post("/articles/<slug>/comments")
@rate_limit("comment")
def create(slug: str):
    """Preview or publish a comment or a reply, then show it in place."""
    article = get_article(slug) or abort(404)
    form = CommentForm()
    if not article.discussion_open:
        return _reshow(
            article, form, _("La discussion est close : elle n'accepte plus de commentaires."), 409
        )
    if not form.validate_on_submit():
        return _reshow(article, form, _("Votre commentaire n'a pas été publié."), 400)
    if form.honeypot_filled:
        # Silently dropped: the bot sees what a reader sees and learns nothing.
        flash(_("Votre commentaire est publié."), "success")
        return redirect(url_for("articles.show", slug=slug, _anchor="discussion"))
    rules = spam_rules()
    try:
        if form.preview.data and not form.submit.data:
            return _reshow(article, form, None, 200, preview=preview_html(form.body.data))
        check_posting_delay(form.rendered_at.data, rules)
        comment = post_comment(
            article,
            _author(),
            discussion_settings(),
            pseudonym=form.pseudonym.data,
            body=form.body.data,
            parent_id=form.parent_id.data,
            submission_token=form.submission_token.data or None,
            screen=partial(check_body, rules=rules),
        )
    except CommentError as error:
        db.session.rollback()
        _field_error(form, error)
        return _reshow(article, form, error.message, error.status)
    db.session.commit()
    flash(
        _("Votre commentaire est publié.")
        if comment.status == "approved"
        else _(
            "Votre commentaire est en attente de modération : il sera visible de tous après "
            "relecture."
        ),
        "success",
    )
    return redirect(_location(comment, article))


def _field_error(form, error: CommentError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]


@bp.get("/comments/<int:comment_id>")
def permalink(comment_id: int):
    """Send the reader to the page and anchor where this comment is shown."""
    comment, article = _comment_and_article(comment_id)
    viewer = viewer_for(current_reader_hash(), load_questions(article))
    page = thread_page(comment, article, viewer)
    if page is None:
        if comment.deleted_at is not None:
            abort(410, description=_("Ce commentaire a été supprimé par son auteur."))
        abort(404, description=_("Ce commentaire n'existe pas ou n'est pas visible."))
    return redirect(
        url_for(
            "articles.show",
            slug=article.slug,
            page=page if page > 1 else None,
            _anchor=f"c{comment.id}",
        )
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@rate_limit("comment")
def edit(comment_id: int):
    """Let the author change their comment during the edit window."""
    comment, article = _comment_and_article(comment_id)
    settings = discussion_settings()
    try:
        check_editable(comment, current_reader_hash(), settings)
    except CommentError as error:
        abort(error.status, description=error.message)
    form = EditForm(data={"body": comment.body_source})
    if not form.is_submitted():
        return _edit_page(form, comment, article)
    if not form.validate():
        return _edit_page(form, comment, article, status=400)
    try:
        if form.preview.data and not form.submit.data:
            return _edit_page(form, comment, article, preview=preview_html(form.body.data))
        edit_comment(comment, article, _author(), settings, form.body.data)
    except CommentError as error:
        db.session.rollback()
        _field_error(form, error)
        return _edit_page(form, comment, article, status=error.status)
    db.session.commit()
    flash(_("Votre commentaire est modifié."), "success")
    return redirect(_location(comment, article))


def _edit_page(
    form: EditForm,
    comment: Comment,
    article: Article,
    *,
    status: int = 200,
    preview: str | None = None,
):
    return render_template(
        "comments/edit.html",
        form=form,
        comment=comment,
        article=article,
        preview=preview,
        action_form=ActionForm(),
    ), status


@bp.post("/comments/<int:comment_id>/delete")
@rate_limit("comment")
def delete(comment_id: int):
    """Delete the reader's own comment; its replies stay under a placeholder."""
    comment, article = _comment_and_article(comment_id)
    ActionForm().validate_on_submit() or abort(400)
    try:
        delete_comment(comment, current_reader_hash(), discussion_settings())
    except CommentError as error:
        abort(error.status, description=error.message)
    db.session.commit()
    flash(_("Votre commentaire est supprimé."), "success")
    return redirect(_location(comment, article))


@bp.route("/comments/<int:comment_id>/flag", methods=["GET", "POST"])
@rate_limit("flag")
def flag(comment_id: int):
    """Report a comment to the moderators, with a reason."""
    comment, article = _comment_and_article(comment_id)
    if comment.status != "approved" or comment.deleted_at is not None:
        abort(404, description=_("Ce commentaire n'existe pas ou n'est pas visible."))
    if comment.reader_hash == current_reader_hash():
        abort(403, description=_("Vous ne pouvez pas signaler votre propre commentaire."))
    form = FlagForm()
    status = 200
    if form.validate_on_submit():
        try:
            flag_comment(
                comment,
                ensure_reader_hash(),
                current_address_hash(),
                form.reason.data,
                form.note.data or "",
                flag_threshold(article, discussion_settings().flag_threshold),
            )
        except CommentError as error:
            db.session.rollback()
            abort(error.status, description=error.message)
        else:
            db.session.commit()
            flash(_("Merci : votre signalement est transmis à l'équipe de modération."), "success")
            return redirect(_location(comment, article))
    elif form.is_submitted():
        status = 400
    return render_template(
        "comments/flag.html", form=form, comment=comment, article=article
    ), status


@bp.post("/comments/<int:comment_id>/useful")
@rate_limit("useful")
def useful(comment_id: int):
    """Mark or unmark a comment as useful (one mark per reader)."""
    comment, article = _comment_and_article(comment_id)
    ActionForm().validate_on_submit() or abort(400)
    try:
        marked = toggle_useful(comment, ensure_reader_hash())
    except CommentError as error:
        abort(error.status, description=error.message)
    db.session.commit()
    if request.headers.get("X-Requested-With") == "fetch":
        db.session.refresh(comment)
        return jsonify(marked=marked, count=comment.useful_count)
    return redirect(_location(comment, article))


@bp.get("/articles/<slug>/comments.atom")
def feed(slug: str):
    """The article's latest public comments as an Atom feed."""
    article = get_article(slug) or abort(404)
    comments = latest_public(article)
    xml = render_template("comments/feed.xml", article=article, comments=comments)
    return Response(xml, mimetype="application/atom+xml")
