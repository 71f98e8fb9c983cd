"""Reading the discussion: one page of threads in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import aliased

from forum.comments.services import Settings, editable
from forum.extensions import db
from forum.models import Article, ChangedMindMark, Comment, CommentVote, Flag, PollChoice, Vote
from forum.page_cache import article_key, cached

SORTS = ("recent", "oldest", "useful", "changed_minds")
STANCES = ("credible", "not_credible", "neutral", "none")
# What the choices of the credibility question (whose answer is shown beside each comment,
# forum.models.articles.CREDIBILITY_QUESTION_KEY) mean.
STANCE_OF_CHOICE = {"positive": "credible", "negative": "not_credible", "neutral": "neutral"}
# A long thread shows its first replies, and a link to the others, so that a page of
# threads stays readable; a thread with at most two more replies is shown whole.
REPLIES_SHOWN = 3


@dataclass
class CommentNode:
    comment: Comment
    visible: bool
    own: bool
    stance: str | None = None
    marked_useful: bool = False
    changed_my_mind: bool = False
    flagged: bool = False
    editable: bool = False
    reply_to: Comment | None = None
    replies: list[CommentNode] = field(default_factory=list)
    # On a collapsed thread: how many replies are left out, and the first of them.
    more_replies: int = 0
    first_more_id: int | None = None

    @property
    def placeholder(self) -> str | None:
        """Why a shown-but-hidden comment keeps only its place: deleted, rejected, pending."""
        if self.visible:
            return None
        if self.comment.deleted_at is not None:
            return "deleted"
        return self.comment.status


@dataclass(frozen=True)
class StanceSummary:
    stance: str
    comments: int
    useful: int


@dataclass
class Discussion:
    threads: list[CommentNode]
    total: int
    summaries: list[StanceSummary]
    page: int
    pages: int
    sort: str
    stance: str | None
    # The last thread of this page, for a "next page" link that continues after it.
    next_after: int | None = None

    def page_links(self, around: int = 2) -> list[int | None]:
        """First, last and nearby page numbers; None marks a gap (a long discussion)."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        links: list[int | None] = []
        for number in numbers:
            if links and number - links[-1] > 1:
                links.append(None)
            links.append(number)
        return links


@dataclass(frozen=True)
class Viewer:
    reader_hash: str | None
    credibility_question_id: int | None
    settings: Settings
    per_page: int
    # Whether this reader has comments, "utile" marks or flags: only then does the
    # discussion look different to them than to a first-time visitor.
    personal: bool = True


def has_footprint(reader_hash: str | None) -> bool:
    """Whether anything in any discussion is this reader's own (one indexed query)."""
    if not reader_hash:
        return False
    mine = [
        exists().where(table.reader_hash == reader_hash) for table in (Comment, CommentVote, Flag)
    ]
    return db.session.execute(select(or_(*mine))).scalar_one()


def _public():
    return (Comment.status == "approved") & Comment.deleted_at.is_(None)


def _visible_to(table, reader_hash: str | None):
    public = (table.status == "approved") & table.deleted_at.is_(None)
    if not reader_hash:
        return public
    return public | ((table.reader_hash == reader_hash) & table.deleted_at.is_(None))


def _top_level(article: Article, viewer: Viewer, stance: str | None):
    reply = aliased(Comment)
    has_visible_reply = exists().where(
        reply.thread_id == Comment.id, _visible_to(reply, viewer.reader_hash)
    )
    query = select(Comment).where(
        Comment.article_id == article.id,
        Comment.parent_id.is_(None),
        or_(_visible_to(Comment, viewer.reader_hash), has_visible_reply),
    )
    if stance:
        query = query.where(_stance_filter(stance, viewer.credibility_question_id))
    return query


def _stance_filter(stance: str, question_id: int | None):
    voters = select(Vote.reader_hash).where(Vote.question_id == question_id)
    if stance == "none":
        return Comment.reader_hash.not_in(voters) & Comment.user_id.is_(None)
    choices = [k for k, v in STANCE_OF_CHOICE.items() if v == stance]
    return Comment.reader_hash.in_(
        voters.join(PollChoice, PollChoice.id == Vote.choice_id).where(
            PollChoice.stance.in_(choices)
        )
    ) & Comment.user_id.is_(None)


# Each order's keys, as (column, descending).
ORDER_KEYS = {
    "oldest": ((Comment.created_at, False), (Comment.id, False)),
    "useful": ((Comment.useful_count, True), (Comment.created_at, True), (Comment.id, True)),
    "changed_minds": (
        (Comment.changed_minds_count, True),
        (Comment.created_at, True),
        (Comment.id, True),
    ),
    "recent": ((Comment.created_at, True), (Comment.id, True)),
}


def _ordered(query, sort: str, *, featured_first: bool = True, backwards: bool = False):
    # Comments chosen by the newsroom come first, whatever the order.
    first = (Comment.featured_at.is_(None),) if featured_first else ()
    keys = ORDER_KEYS.get(sort, ORDER_KEYS["recent"])
    return query.order_by(
        *first,
        *(
            column.desc() if descending != backwards else column.asc()
            for column, descending in keys
        ),
    )


def load_discussion(
    article: Article,
    viewer: Viewer,
    *,
    page: int = 1,
    sort: str = "recent",
    stance: str | None = None,
    after: int | None = None,
    whole: frozenset[int] = frozenset(),
) -> Discussion | None:
    """One page of threads with their replies, badges and counts; None past the last page.

    Long threads show their first replies only, except those holding a comment of `whole`.
    """
    sort, stance = known_order_and_side(sort, stance)
    summaries = cached(
        article_key(article, "summaries", viewer.credibility_question_id),
        lambda: stance_summaries(article, viewer.credibility_question_id),
    )
    top_query = _top_level(article, viewer, stance)
    # Counting grows with the discussion: counted once per version of the article (and per
    # reader, whose own pending comments count for them), not on every page view.
    count = cached(
        article_key(
            article, "threads", viewer.reader_hash if viewer.personal else "-", stance or "all"
        ),
        lambda: db.session.execute(
            select(func.count()).select_from(top_query.subquery())
        ).scalar_one(),
    )
    pages = max(1, -(-count // viewer.per_page))
    if page < 1 or page > pages:
        return None
    tops = _page_of_tops(top_query, sort, page, viewer.per_page, after, count)
    threads = build_threads(tops, _replies_of(tops), viewer)
    for thread in threads:
        if not whole & _ids_in(thread):
            collapse_thread(thread, REPLIES_SHOWN)
    regular = [c for c in tops if c.featured_at is None]
    next_after = regular[-1].id if regular and sort in KEYSET_SORTS else None
    return Discussion(
        threads,
        sum(s.comments for s in summaries),
        summaries,
        page,
        pages,
        sort,
        stance,
        next_after,
    )


# Orders a "next page" link can continue with a cursor instead of an offset.
KEYSET_SORTS = ("recent", "oldest")


def _page_of_tops(
    top_query, sort: str, page: int, per_page: int, after: int | None, count: int
) -> list[Comment]:
    """The page's top-level comments: the newsroom's picks first, then the others in order.

    Picks are few and read whole. The others come from an index in the page's order: after
    a cursor (the previous page's last thread) the read is one index range however deep the
    page; by page number, the index is skipped through up to the page, from whichever end
    of the discussion (`count` threads) is nearer, so the last pages cost as little as the
    first ones.
    """
    featured = list(
        db.session.execute(
            _ordered(top_query.where(Comment.featured_at.is_not(None)), sort, featured_first=False)
        ).scalars()
    )
    start = (page - 1) * per_page
    shown_featured = featured[start : start + per_page]
    limit = per_page - len(shown_featured)
    if not limit:
        return shown_featured
    regular = top_query.where(Comment.featured_at.is_(None))
    if after is not None and sort in KEYSET_SORTS:
        query = _ordered(regular, sort, featured_first=False).where(_after(after, sort))
        return shown_featured + list(db.session.execute(query.limit(limit)).scalars())
    skipped = max(0, start - len(featured))
    from_here = count - len(featured) - skipped  # regular threads from this page to the end
    after_page = max(0, from_here - limit)
    if after_page < skipped:
        query = _ordered(regular, sort, featured_first=False, backwards=True)
        rows = db.session.execute(
            query.offset(after_page).limit(min(limit, max(0, from_here)))
        ).scalars()
        return shown_featured + list(rows)[::-1]
    query = _ordered(regular, sort, featured_first=False).offset(skipped).limit(limit)
    return shown_featured + list(db.session.execute(query).scalars())


def _after(comment_id: int, sort: str):
    cursor = select(Comment.created_at).where(Comment.id == comment_id).scalar_subquery()
    key, bound = tuple_(Comment.created_at, Comment.id), tuple_(cursor, literal(comment_id))
    return key > bound if sort == "oldest" else key < bound


def known_order_and_side(sort: str, stance: str | None) -> tuple[str, str | None]:
    """A known order and side (unknown values fall back to the defaults)."""
    return (sort if sort in SORTS else "recent", stance if stance in STANCES else None)


def _replies_of(tops: list[Comment]) -> list[Comment]:
    return list(
        db.session.execute(
            select(Comment)
            .where(Comment.thread_id.in_([c.id for c in tops]))
            .order_by(Comment.created_at, Comment.id)
        ).scalars()
    )


def build_threads(tops: list[Comment], replies: list[Comment], viewer: Viewer) -> list[CommentNode]:
    """Nest the replies under their parents in Python; prune what this reader cannot see."""
    everything = [*tops, *replies]
    marks = _reader_marks(everything, viewer.reader_hash)
    stances = author_stances(everything, viewer.credibility_question_id)
    by_id = {c.id: c for c in everything}
    nodes = {c.id: _node(c, viewer, marks, stances, by_id) for c in everything}
    for reply in replies:
        parent = nodes.get(reply.parent_id)
        if parent is not None:
            parent.replies.append(nodes[reply.id])
    return [node for node in (nodes[c.id] for c in tops) if _prune(node)]


def collapse_thread(thread: CommentNode, shown: int) -> None:
    """Keep the first `shown` replies in reading order (with the ones they answer)."""
    order = _replies_in_order(thread)
    if len(order) <= shown + 2:
        return
    kept = {id(node) for node in order[:shown]}
    thread.more_replies = len(order) - shown
    thread.first_more_id = order[shown].comment.id
    _keep_only(thread, kept)


def _replies_in_order(node: CommentNode) -> list[CommentNode]:
    order: list[CommentNode] = []
    for reply in node.replies:
        order.append(reply)
        order.extend(_replies_in_order(reply))
    return order


def _keep_only(node: CommentNode, kept: set[int]) -> None:
    # Reading order puts a reply after its parent: a kept reply never loses its parent.
    node.replies = [reply for reply in node.replies if id(reply) in kept]
    for reply in node.replies:
        _keep_only(reply, kept)


def _ids_in(node: CommentNode) -> set[int]:
    ids = {node.comment.id}
    for reply in node.replies:
        ids |= _ids_in(reply)
    return ids


def _node(comment: Comment, viewer: Viewer, marks, stances, by_id) -> CommentNode:
    useful, changed_mind, flagged = marks
    own = viewer.reader_hash is not None and comment.reader_hash == viewer.reader_hash
    visible = comment.deleted_at is None and (comment.status == "approved" or own)
    return CommentNode(
        comment=comment,
        visible=visible,
        own=own,
        stance=None if comment.user_id else stances.get(comment.reader_hash, "none"),
        marked_useful=comment.id in useful,
        changed_my_mind=comment.id in changed_mind,
        flagged=comment.id in flagged,
        editable=own and editable(comment, viewer.reader_hash, viewer.settings),
        reply_to=by_id.get(comment.reply_to_id) if comment.reply_to_id else None,
    )


def _prune(node: CommentNode) -> bool:
    """Keep a node if it is visible or shelters a visible reply (as a placeholder)."""
    node.replies = [child for child in node.replies if _prune(child)]
    return node.visible or bool(node.replies)


def _reader_marks(comments: list[Comment], reader_hash: str | None):
    """The ids of the comments this reader marked "utile", said changed their mind, and
    flagged: one query for the three."""
    ids = [c.id for c in comments]
    marks = [
        select(table.comment_id, literal(kind)).where(
            table.comment_id.in_(ids), table.reader_hash == (reader_hash or "")
        )
        for kind, table in (("useful", CommentVote), ("changed", ChangedMindMark), ("flag", Flag))
    ]
    given: dict[str, set[int]] = {"useful": set(), "changed": set(), "flag": set()}
    for comment_id, kind in db.session.execute(union_all(*marks)):
        given[kind].add(comment_id)
    return given["useful"], given["changed"], given["flag"]


def author_stances(comments: list[Comment], question_id: int | None) -> dict[str, str]:
    """Each author's current answer to the credibility question, as a stance key."""
    hashes = {c.reader_hash for c in comments}
    rows = db.session.execute(
        select(Vote.reader_hash, PollChoice.stance)
        .join(PollChoice, PollChoice.id == Vote.choice_id)
        .where(Vote.question_id == question_id, Vote.reader_hash.in_(hashes))
    ).all()
    return {reader_hash: STANCE_OF_CHOICE.get(stance, "neutral") for reader_hash, stance in rows}


def stance_summaries(article: Article, question_id: int | None) -> list[StanceSummary]:
    """Public comments and their "utile" votes per stance of their authors (one query)."""
    rows = db.session.execute(
        select(
            PollChoice.stance,
            Comment.user_id.is_not(None),
            func.count(),
            func.coalesce(func.sum(Comment.useful_count), 0),
        )
        .select_from(Comment)
        .outerjoin(
            Vote, (Vote.reader_hash == Comment.reader_hash) & (Vote.question_id == question_id)
        )
        .outerjoin(PollChoice, PollChoice.id == Vote.choice_id)
        .where(Comment.article_id == article.id, _public())
        .group_by(PollChoice.stance, Comment.user_id.is_not(None))
    ).all()
    totals = {key: [0, 0] for key in STANCES}
    staff = [0, 0]
    for stance, is_staff, comments, useful in rows:
        bucket = staff if is_staff else totals[STANCE_OF_CHOICE.get(stance, "none")]
        bucket[0] += comments
        bucket[1] += int(useful)
    summaries = [StanceSummary(key, *totals[key]) for key in STANCES]
    if staff[0]:
        summaries.append(StanceSummary("staff", *staff))
    return summaries


def thread_page(comment: Comment, article: Article, viewer: Viewer) -> int | None:
    """The page (default order, no filter) that shows this comment; None if hidden to them.

    One count of the threads shown before its thread, read on the thread indexes: the cost
    follows the thread's position, not the size of the discussion.
    """
    root = comment if comment.thread_id is None else db.session.get(Comment, comment.thread_id)
    if root is None:
        return None
    ahead = tuple_(Comment.created_at, Comment.id) > tuple_(
        literal(root.created_at, Comment.created_at.type), literal(root.id)
    )
    threads = _top_level(article, viewer, None)
    featured = threads.where(Comment.featured_at.is_not(None))
    regular = threads.where(Comment.featured_at.is_(None), ahead)
    if root.featured_at is not None:
        # Featured threads come first, newest first among themselves.
        featured, regular = featured.where(ahead), None
    # Each part is one range of a thread index (featured, then the newer ones).
    counts = [
        _count(featured),
        _count(regular) if regular is not None else literal(0),
        exists(threads.where(Comment.id == root.id)),
    ]
    featured_before, regular_before, shown = db.session.execute(select(*counts)).one()
    if not shown:
        return None
    position = featured_before + regular_before
    return position // viewer.per_page + 1


def _count(query):
    return query.with_only_columns(func.count()).scalar_subquery()


def latest_public(article: Article, limit: int = 50) -> list[Comment]:
    return list(
        db.session.execute(
            select(Comment)
            .where(Comment.article_id == article.id, _public())
            .order_by(Comment.created_at.desc(), Comment.id.desc())
            .limit(limit)
        ).scalars()
    )
