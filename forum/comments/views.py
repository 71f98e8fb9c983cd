from __future__ import annotations

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

from forum.articles.services import get_article
from forum.comments.forms import DeleteForm, EditForm, FlagForm, UsefulForm, add_field_error
from forum.comments.page import (
    comment_location,
    current_author,
    discussion_settings,
    reader_ban_notice,
    viewer_for,
)
from forum.comments.services import (
    CommentError,
    Settings,
    check_editable,
    delete_comment,
    edit_comment,
    edit_time_left,
    flag_comment,
    flag_threshold,
    preview_html,
    toggle_changed_mind,
    toggle_useful,
)
from forum.comments.thread import latest_public, thread_page
from forum.extensions import db
from forum.limits import rate_limit
from forum.models import Article, Comment
from forum.polls.services import load_questions
from forum.readers import current_address_hash, current_reader_hash, ensure_reader_hash

bp = Blueprint("comments", __name__)


def _comment_and_article(comment_id: int) -> tuple[Comment, Article]:
    comment = db.session.get(Comment, comment_id) or abort(404)
    return comment, db.session.get(Article, comment.article_id)


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
            fil=comment.thread_id,
            _anchor=f"c{comment.id}",
        )
    )


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@rate_limit("comment")
def edit(comment_id: int):
    """Let the author change their comment during the edit window."""
    comment, article = _comment_and_article(comment_id)
    settings = discussion_settings()
    _check_author_may_change(comment, settings)
    form = EditForm(data={"body": comment.body_source})
    if not form.is_submitted():
        return _edit_page(form, comment, article, settings)
    if not form.validate():
        return _edit_page(form, comment, article, settings, status=400)
    try:
        if form.preview.data and not form.submit.data:
            return _edit_page(
                form, comment, article, settings, preview=preview_html(form.body.data)
            )
        edit_comment(comment, article, current_author(), settings, form.body.data)
    except CommentError as error:
        db.session.rollback()
        add_field_error(form, error)
        return _edit_page(form, comment, article, settings, status=error.status)
    db.session.commit()
    flash(_("Votre commentaire est modifié."), "success")
    return redirect(comment_location(comment, article))


def _check_author_may_change(comment: Comment, settings: Settings) -> None:
    """Only the author, within the edit window, and not while a ban holds."""
    try:
        check_editable(comment, current_reader_hash(), settings)
    except CommentError as error:
        abort(error.status, description=error.message)
    notice = reader_ban_notice(current_reader_hash())
    if notice:
        abort(403, description=notice)


def _edit_page(
    form: EditForm,
    comment: Comment,
    article: Article,
    settings: Settings,
    *,
    status: int = 200,
    preview: str | None = None,
    delete_form: DeleteForm | None = None,
):
    return render_template(
        "comments/edit.html",
        form=form,
        comment=comment,
        article=article,
        preview=preview,
        delete_form=delete_form or DeleteForm(formdata=None),
        minutes_left=_minutes_left(comment, settings),
    ), status


def _minutes_left(comment: Comment, settings: Settings) -> int:
    # Rounded up: "1 minute" while any of the last minute remains.
    return -(-int(edit_time_left(comment, settings).total_seconds()) // 60)


@bp.post("/comments/<int:comment_id>/delete")
@rate_limit("comment")
def delete(comment_id: int):
    """Delete the reader's own comment once confirmed; its replies stay under a placeholder."""
    comment, article = _comment_and_article(comment_id)
    settings = discussion_settings()
    _check_author_may_change(comment, settings)
    form = DeleteForm()
    if not form.validate_on_submit():
        edit_form = EditForm(formdata=None, data={"body": comment.body_source})
        return _edit_page(edit_form, comment, article, settings, status=400, delete_form=form)
    try:
        delete_comment(comment, current_reader_hash(), settings)
    except CommentError as error:
        abort(error.status, description=error.message)
    db.session.commit()
    flash(_("Votre commentaire est supprimé."), "success")
    return redirect(comment_location(comment, article))


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
            return redirect(comment_location(comment, article))
    elif form.is_submitted():
        status = 400
    return render_template(
        "comments/flag.html", form=form, comment=comment, article=article
    ), status


@bp.post("/comments/<int:comment_id>/useful")
@rate_limit("useful")
def useful(comment_id: int):
    """Mark or unmark a comment as useful (one mark per reader)."""
    return _toggle(comment_id, toggle_useful, lambda comment: comment.useful_count)


@bp.post("/comments/<int:comment_id>/changed-my-mind")
@rate_limit("useful")
def changed_my_mind(comment_id: int):
    """Say or unsay that a comment made this reader change their mind (once per reader)."""
    return _toggle(comment_id, toggle_changed_mind, lambda comment: comment.changed_minds_count)


def _toggle(comment_id: int, toggle, count):
    comment, article = _comment_and_article(comment_id)
    UsefulForm().validate_on_submit() or abort(400)
    try:
        marked = toggle(
            comment,
            ensure_reader_hash(),
            current_address_hash(),
            discussion_settings().useful_per_address,
        )
    except CommentError as error:
        abort(error.status, description=error.message)
    db.session.commit()
    if request.headers.get("X-Requested-With") == "fetch":
        db.session.refresh(comment)
        return jsonify(marked=marked, count=count(comment))
    return redirect(comment_location(comment, article))


@bp.get("/articles/<slug>/comments.atom")
def feed(slug: str):
    """The article's latest public comments as an Atom feed."""
    article = get_article(slug) or abort(404)
    comments = latest_public(article)
    xml = render_template("comments/feed.xml", article=article, comments=comments)
    return Response(xml, mimetype="application/atom+xml")
