"""The e-mail queue: Huey, kept in a SQLite file under instance/ or in Redis, so queued
mails survive a restart. A task is queued when the transaction that made it commits (never
for one rolled back), and the worker (`flask notices worker`, started by `make run`) sends
it: no request waits for an SMTP server. Without FORUM_SMTP_URL nothing is queued.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from huey.api import Huey

TASKS = "notices.mail_tasks"


def init_app(app: Flask) -> None:
    if not app.config["FORUM_SMTP_URL"]:
        return
    queue = make_queue(app)

    def in_app(send):
        def run(row_id: int) -> None:
            site = app.config["FORUM_SITE_URL"] or "http://localhost/"
            with app.test_request_context("/", base_url=site):
                send(row_id)

        return run

    from forum.notices.mail import send_confirmation_mail, send_reply_mail

    tasks = {
        "reply": queue.task(retries=5, retry_delay=60, name="reply_mail")(in_app(send_reply_mail)),
        "confirmation": queue.task(retries=5, retry_delay=60, name="confirmation_mail")(
            in_app(send_confirmation_mail)
        ),
    }
    app.extensions["notices_queue"] = (queue, tasks)


def make_queue(app: Flask) -> Huey:
    """FORUM_QUEUE_URL (redis://... or a SQLite file path), else the cache's Redis, else
    instance/mail-queue.sqlite3. Huey is imported only here: it brings the redis client,
    which a site without e-mail never needs in its web workers."""
    from huey import RedisHuey, SqliteHuey

    url = app.config["FORUM_QUEUE_URL"] or app.config.get("CACHE_REDIS_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("forum-mail", url=url)
    path = url or str(Path(app.instance_path) / "mail-queue.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("forum-mail", filename=path)


def app_queue(app: Flask) -> Huey | None:
    entry = app.extensions.get("notices_queue")
    return entry[0] if entry else None


def send_after_commit(kind: str, row_id: int) -> None:
    """Queue a mail task ("reply": a notice id, "confirmation": a subscription id) once the
    current transaction commits."""
    from forum.extensions import db

    db.session.info.setdefault(TASKS, []).append((kind, row_id))


@event.listens_for(Session, "after_commit")
def _queue_committed(session: Session) -> None:
    pending = session.info.pop(TASKS, None)
    if not pending:
        return
    entry = current_app.extensions.get("notices_queue")
    if entry is None:
        return
    _queue, tasks = entry
    for kind, row_id in pending:
        tasks[kind](row_id)


@event.listens_for(Session, "after_rollback")
def _drop_uncommitted(session: Session) -> None:
    session.info.pop(TASKS, None)
