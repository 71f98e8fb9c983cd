"""`flask staff ...`: staff accounts are created by operators; there is no sign-up."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from forum.auth.passwords import MIN_PASSWORD_LENGTH
from forum.auth.services import (
    StaffError,
    create_staff,
    list_staff,
    require_staff,
    set_active,
    set_password,
    set_role,
)
from forum.extensions import db
from forum.models.staff import ROLES

staff_cli = AppGroup("staff", help="Manage staff accounts (moderators and admins).")
role_option = click.Choice(ROLES)


def _prompt_password() -> str:
    # Prompted, hidden and confirmed: a password never appears in argv or shell history.
    return click.prompt(
        f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
        hide_input=True,
        confirmation_prompt=True,
    )


def _read_password(from_stdin: bool) -> str:
    if not from_stdin:
        return _prompt_password()
    # One line from a pipe (`--password-stdin`): no prompt and no terminal needed.
    password = click.get_text_stream("stdin").readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("No password on standard input.")
    return password


def _commit_or_fail(action) -> None:
    try:
        action()
    except StaffError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", type=role_option, default="moderator", show_default=True)
@click.option(
    "--name", "display_name", help="Name shown to readers (default: the email's local part)."
)
@click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)
def create(email: str, role: str, display_name: str | None, password_stdin: bool) -> None:
    """Create a staff account; the password is asked for twice (or read with --password-stdin)."""
    password = _read_password(password_stdin)
    _commit_or_fail(lambda: create_staff(email, password, role, display_name))
    click.echo(f"Created {role} {email.strip().lower()}.")


@staff_cli.command("list")
def list_accounts() -> None:
    """List staff accounts with their role and state."""
    for user in list_staff():
        state = "active" if user.active else "disabled"
        last = user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "never"
        click.echo(f"{user.email}\t{user.display_name}\t{user.role}\t{state}\tlast login: {last}")


@staff_cli.command("disable")
@click.argument("email")
def disable(email: str) -> None:
    """Disable an account and end its sessions."""
    _commit_or_fail(lambda: set_active(require_staff(email), False))
    click.echo(f"Disabled {email}; its sessions are closed.")


@staff_cli.command("enable")
@click.argument("email")
def enable(email: str) -> None:
    """Enable a disabled account."""
    _commit_or_fail(lambda: set_active(require_staff(email), True))
    click.echo(f"Enabled {email}.")


@staff_cli.command("reset-password")
@click.argument("email")
def reset_password(email: str) -> None:
    """Set a new password (asked for twice) and end the account's sessions."""
    user_check = require_staff_or_fail(email)
    password = _prompt_password()
    _commit_or_fail(lambda: set_password(user_check, password))
    click.echo(f"Password changed for {email}; its sessions are closed.")


@staff_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=role_option)
def change_role(email: str, role: str) -> None:
    """Change an account's role and end its sessions."""
    _commit_or_fail(lambda: set_role(require_staff(email), role))
    click.echo(f"{email} is now {role}; its sessions are closed.")


def require_staff_or_fail(email: str):
    try:
        return require_staff(email)
    except StaffError as error:
        raise click.ClickException(str(error)) from error
