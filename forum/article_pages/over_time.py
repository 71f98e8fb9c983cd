"""« Les résultats dans le temps »: each question's results, and the comments of each side,
period by period since publication, drawn on the server as SVG with the same figures as a
table. The figures are read in a fixed number of queries (forum.polls.history) and cached
under the article's version and a short time slot: votes move them without moving the
version (as the open page's live figures, forum.article_pages.live). What staff see beside
readers (the burst and held marks) is in the same cached figures; only the template tells.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from flask import Response, current_app, make_response, render_template
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select

from forum.article_pages.anonymous_page import sent_cookies_the_page_depends_on
from forum.article_pages.both_sides import author_side, public_readers_comments
from forum.extensions import db
from forum.models import Article, Comment, utcnow
from forum.models.articles import CREDIBILITY_QUESTION_KEY
from forum.page_cache import article_key, cached
from forum.polls.history import PollHistory, VoteMarks, bucket_index, poll_history, vote_marks
from forum.polls.services import load_questions

# The comments' sides, as on « les deux camps » (forum.article_pages.both_sides).
SIDES = ("credible", "not_credible", "others")

# The drawing, in SVG user units: the plot, then room on the right for direct labels.
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 190, 12, 28
BARS_HEIGHT = 140
# Told apart without colour: each choice has its own dash pattern and its own label.
DASHES = ("", "10 5", "3 4", "12 4 3 4", "1 3", "6 2")
COLOURS = ("#0b4f8a", "#a4262c", "#1d6b2f", "#5c2d91", "#1b1b1b", "#7a4a00")
LABEL_GAP = 15


@dataclass(frozen=True)
class OverTime:
    history: PollHistory
    marks: VoteMarks
    comments: dict[str, tuple[int, ...]]  # per side, comments published during each bucket


@dataclass(frozen=True)
class Line:
    points: str
    dash: str
    colour: str
    label: str
    percent: int
    label_y: float
    end_x: float


def over_time(article: Article) -> OverTime:
    """The figures of the page, cached under the article's version and a time slot."""
    return cached(article_key(article, "over-time", _time_slot()), lambda: load_over_time(article))


def _time_slot() -> int:
    return int(time.time() // max(1, current_app.config["FORUM_LIVE_POLL_SECONDS"]))


def load_over_time(article: Article) -> OverTime:
    """Read every figure of the page: five queries, whatever the votes and comments."""
    questions = load_questions(article)
    history = poll_history(questions, article.published_at, utcnow())
    size = len(history.buckets)
    stance_question = next((q.id for q in questions if q.key == CREDIBILITY_QUESTION_KEY), None)
    return OverTime(
        history,
        vote_marks(questions, article.published_at, size),
        comments_by_side(article, stance_question, size),
    )


def comments_by_side(
    article: Article, question_id: int | None, size: int
) -> dict[str, tuple[int, ...]]:
    """Public readers' comments per side of their author's current answer to the
    credibility question, by bucket of publication (one query)."""
    side = author_side()
    published = func.coalesce(Comment.published_at, Comment.created_at)
    rows = public_readers_comments(
        select(side.label("side"), bucket_index(published, article.published_at).label("bucket")),
        article,
        question_id,
    ).subquery()
    counts = {key: [0] * size for key in SIDES}
    for key, bucket, count in db.session.execute(
        select(rows.c.side, rows.c.bucket, func.count()).group_by(rows.c.side, rows.c.bucket)
    ).all():
        counts[key][min(bucket, size - 1)] += count
    return {key: tuple(values) for key, values in counts.items()}


def bucket_x(index: int, size: int) -> float:
    """Where the end of a bucket is drawn."""
    return round(LEFT + (WIDTH - LEFT - RIGHT) * (index + 1) / size, 1)


def share_y(percent: int) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (100 - percent) / 100, 1)


def lines(question, size: int) -> list[Line]:
    """A polyline per choice from the first bucket with voters, and where its label goes."""
    first = next((b for b, voters in enumerate(question.voters) if voters), None)
    if first is None:
        return []
    drawn = []
    for position, choice in enumerate(question.choices):
        # From the start of the first bucket with voters, so that one bucket draws a line.
        start = f"{bucket_x(first - 1, size)},{share_y(choice.percents[first])} "
        points = start + " ".join(
            f"{bucket_x(b, size)},{share_y(choice.percents[b])}" for b in range(first, size)
        )
        drawn.append(
            Line(
                points,
                DASHES[position % len(DASHES)],
                COLOURS[position % len(COLOURS)],
                choice.label,
                choice.percents[-1],
                share_y(choice.percents[-1]),
                bucket_x(size - 1, size),
            )
        )
    return _spread_labels(drawn)


def _spread_labels(drawn: list[Line]) -> list[Line]:
    """Move the labels apart so that none covers another, in the order of their lines."""
    ys, floor = [], TOP + 8.0
    ordered = sorted(drawn, key=lambda item: item.label_y)
    for line in ordered:  # downwards, each below the one above
        ys.append(max(line.label_y + 4, floor))
        floor = ys[-1] + LABEL_GAP
    ceiling = HEIGHT - BOTTOM + 4.0
    for i in reversed(range(len(ys))):  # then up again from the bottom of the plot
        ys[i] = min(ys[i], ceiling)
        ceiling = ys[i] - LABEL_GAP
    return [replace(line, label_y=round(y, 1)) for line, y in zip(ordered, ys, strict=True)]


def bar_height(count: int, most: int) -> float:
    """Half the comments chart is for each side; the tallest bar fills its half."""
    half = (BARS_HEIGHT - TOP - BOTTOM) / 2
    return round(half * count / most, 1) if most else 0


def render_over_time(article: Article) -> Response:
    """The page; staff also see the burst and held votes on the time axis. A visitor who
    sends no cookie the page depends on gets the page every such visitor gets, rendered
    once per language and time slot, in a copy a shared cache may keep."""
    staff = current_user.is_authenticated
    if staff or sent_cookies_the_page_depends_on():
        return make_response(_render_page(article, staff))
    slot = _time_slot()
    key = article_key(article, f"over-time-page:{get_locale()}", slot)
    # Babel's number formatting of every share in the charts and tables: 30 ms a page.
    response = make_response(cached(key, lambda: _render_page(article, staff=False)))
    seconds = current_app.config["FORUM_SHARED_CACHE_SECONDS"]
    response.headers["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
    return response


def _render_page(article: Article, staff: bool) -> str:
    figures = over_time(article)
    size = len(figures.history.buckets)
    return render_template(
        "articles/over_time.html",
        article=article,
        figures=figures,
        charts=[(q, lines(q, size)) for q in figures.history.questions],
        staff=staff,
        chart=chart_geometry(figures),
    )


def chart_geometry(figures: OverTime) -> dict:
    """What the template needs to place things: sizes, the x of each bucket, the bars."""
    buckets = figures.history.buckets
    size = len(buckets)
    most = max((max(counts, default=0) for counts in figures.comments.values()), default=0)
    slot_width = (WIDTH - LEFT - RIGHT) / size
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars_height": BARS_HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "bars_axis": round(TOP + (BARS_HEIGHT - TOP - BOTTOM) / 2, 1),
        "bar_width": round(max(slot_width * 0.7, 1), 1),
        "x": [bucket_x(b, size) for b in range(size)],
        "slot_x": [round(bucket_x(b, size) - slot_width * 0.85, 1) for b in range(size)],
        "credible": [bar_height(n, most) for n in figures.comments["credible"]],
        "not_credible": [bar_height(n, most) for n in figures.comments["not_credible"]],
        "daily_from": next(
            (bucket_x(b.index - 1, size) for b in buckets if not b.hourly and b.index), None
        ),
        "gridlines": [(p, share_y(p)) for p in (0, 25, 50, 75, 100)],
    }
