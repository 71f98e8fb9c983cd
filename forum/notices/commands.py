"""`flask notices worker`: send the queued reply e-mails (make run starts it)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from forum.notices.mail_queue import app_queue

notices_cli = AppGroup("notices", help="Reply notices sent by e-mail.")


@notices_cli.command("worker")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
def run_worker(workers: int) -> None:
    """Send queued e-mails until stopped (Ctrl+C or SIGTERM), picking up what a previous
    run left in the queue."""
    queue = app_queue(current_app)
    if queue is None:
        click.echo("notices worker: FORUM_SMTP_URL is not set, there is nothing to send.")
        return
    # Imported here: Huey brings the redis client, which web workers never need (10 MB each).
    from huey.consumer import Consumer

    Consumer(queue, workers=workers, worker_type="thread", periodic=False).run()
