"""Command-line tools for operators: `flask content load`, `flask staff create`,
`flask retention run`, ..."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from forum.articles.content import CONTENT_DIR, ContentError, read_content_dir
from forum.articles.services import load_articles
from forum.auth.commands import staff_cli
from forum.notices.commands import notices_cli
from forum.privacy.commands import retention_cli

content_cli = AppGroup("content", help="Manage article content.")


@content_cli.command("load")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=CONTENT_DIR,
    show_default=True,
    help="Folder of article files.",
)
def load_content(directory: Path) -> None:
    """Create or update articles from content files (idempotent; keeps votes and comments)."""
    try:
        contents = read_content_dir(directory)
    except ContentError as error:
        raise click.ClickException(str(error)) from error
    for slug, outcome in load_articles(contents).items():
        click.echo(f"{slug}: {outcome}")


def init_app(app: Flask) -> None:
    app.cli.add_command(content_cli)
    app.cli.add_command(staff_cli)
    app.cli.add_command(retention_cli)
    app.cli.add_command(notices_cli)
