"""`flask retention run`: clear old address hashes; report on rate-limit counters."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from forum.extensions import db, limiter
from forum.privacy.retention import limiter_report, purge_address_hashes

retention_cli = AppGroup("retention", help="Apply the retention period to stored data.")


@retention_cli.command("run")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Retention in days (default: FORUM_RETENTION_DAYS).",
)
def run_retention(days: int | None) -> None:
    """Clear address hashes older than the retention period (run it daily, from cron)."""
    days = current_app.config["FORUM_RETENTION_DAYS"] if days is None else days
    purge = purge_address_hashes(days)
    db.session.commit()
    click.echo(
        f"retention: {days} days (address hashes from before {purge.cutoff:%Y-%m-%d %H:%M} UTC)"
    )
    click.echo(f"votes: {purge.votes} address hashes cleared")
    click.echo(f"comments: {purge.comments} address hashes cleared")
    click.echo(f"flags: {purge.flags} address hashes cleared")
    click.echo(f"bans: {purge.bans} address hashes cleared (ended bans)")
    click.echo(f"utile marks: {purge.useful_marks} address hashes cleared")
    click.echo(f"changed-mind marks: {purge.changed_mind_marks} address hashes cleared")
    click.echo(f"spent form stamps: {purge.spent_stamps} expired rows deleted")
    click.echo(_limiter_line(limiter_report(limiter.storage)))


def _limiter_line(report) -> str:
    if report.counters is None:
        return (
            f"rate limits ({report.backend}): in each server process's memory, "
            "expire with their window"
        )
    return (
        f"rate limits ({report.backend}): {report.counters} counters, each expires with "
        f"its window (longest {report.longest_ttl} s left); "
        f"{report.without_expiry} without expiry removed"
    )
