"""The notice on the article page: new replies since the reader last saw them.

Seen replies are remembered in a cookie of the reader's browser (the newest notice id
shown), the browser that holds the reader id itself: showing the notice writes nothing
to the database, and a GET stays a read.
"""

from __future__ import annotations

from flask import Response, after_this_request, current_app, request

from forum.notices.services import NewReplies, new_replies


def seen_cookie_name() -> str:
    return current_app.config["FORUM_READER_COOKIE"] + "_vu"


def seen_up_to() -> int:
    raw = request.cookies.get(seen_cookie_name(), "")
    return int(raw) if raw.isdigit() and len(raw) <= 18 else 0


def reader_notice(reader_hash: str | None) -> NewReplies | None:
    """The replies to tell this reader about; once in this response, they are seen."""
    if reader_hash is None:
        return None
    notice = new_replies(reader_hash, seen_up_to())
    if notice.total:
        remember_seen(notice.newest_id)
    return notice


def remember_seen(notice_id: int) -> None:
    """Make the response remember that notices up to this id have been shown."""
    if notice_id <= seen_up_to():
        return

    @after_this_request
    def set_cookie(response: Response) -> Response:
        config = current_app.config
        response.set_cookie(
            seen_cookie_name(),
            str(notice_id),
            max_age=config["FORUM_READER_COOKIE_DAYS"] * 86400,
            httponly=True,
            samesite="Lax",
            secure=bool(config["FORUM_HTTPS"]),
        )
        return response


def forget_seen(response: Response) -> None:
    """Drop the seen mark with the reader id (their erasure)."""
    response.delete_cookie(
        seen_cookie_name(),
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["FORUM_HTTPS"]),
    )
