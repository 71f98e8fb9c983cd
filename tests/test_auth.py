from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.auth.services import safe_next
from forum.extensions import db
from forum.models import AuditEntry, User
from tests.conftest import STAFF_PASSWORD, TEST_SECRET, StaffMember, create_staff_account

GENERIC_ERROR = "Adresse e-mail ou mot de passe incorrect, ou compte désactivé."
OPEN_REDIRECTS = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "%2F%2Fevil.example",
    "/%09/evil.example",
    "/%2F/evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "/%5Cevil.example",
    "evil.example",
]


def page_text(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


@pytest.fixture
def member(app) -> StaffMember:
    create_staff_account(app, "Camille@Redaction.example")
    return StaffMember(app, "camille@redaction.example")


def test_login_opens_the_desk_and_shows_staff_navigation(member):
    response = member.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation"
    html = page_text(member.client.get("/moderation"))
    assert "Se déconnecter (Camille)" in html
    assert 'action="/staff/logout"' in html and 'method="post"' in html


def test_email_is_matched_case_insensitively(member):
    member.email = "CAMILLE@redaction.EXAMPLE"
    assert member.login().status_code == 302


@pytest.mark.parametrize(
    "email, password",
    [
        ("camille@redaction.example", "wrong password!!"),
        ("nobody@redaction.example", STAFF_PASSWORD),
    ],
)
def test_wrong_credentials_get_one_generic_message(member, email, password):
    member.email = email
    response = member.login(password=password)
    assert response.status_code == 400
    html = page_text(response)
    assert GENERIC_ERROR in html
    assert f'value="{email}"' in html  # the email is kept, the password is not
    assert password not in html
    assert member.client.get("/moderation").status_code == 302


def test_disabled_account_cannot_log_in(app):
    create_staff_account(app, "ancien@redaction.example", active=False)
    response = StaffMember(app, "ancien@redaction.example").login()
    assert response.status_code == 400
    assert GENERIC_ERROR in page_text(response)


def test_successful_login_records_the_time(app, member):
    member.login()
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        assert user.last_login_at is not None
        assert user.password_hash.startswith("$argon2id$")


def test_default_hash_parameters_are_argon2_defaults(app):
    app.config.pop("FORUM_ARGON2_TIME_COST")
    app.config.pop("FORUM_ARGON2_MEMORY_KIB")
    from forum.auth.passwords import hash_password, verify_password

    with app.app_context():
        stored = hash_password("long enough password")
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert verify_password(stored, "long enough password")
        assert not verify_password(stored, "long enough passwore")


def test_logout_is_post_only(member):
    member.login()
    assert member.client.get("/staff/logout").status_code == 405
    assert member.client.get("/moderation").status_code == 200


def test_old_cookie_replayed_after_logout_is_rejected(app, member):
    member.login()
    stolen = member.client.get_cookie("session").value
    response = member.logout()
    assert response.status_code == 302
    assert "Vous êtes déconnecté." in page_text(member.client.get(response.headers["Location"]))
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = replay.get("/moderation")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("change", ["password", "role", "disable"])
def test_account_changes_end_existing_sessions(app, member, change):
    from forum.auth import services

    member.login()
    assert member.client.get("/moderation").status_code == 200
    with app.app_context():
        user = services.require_staff(member.email)
        if change == "password":
            services.set_password(user, "a brand new long password")
        elif change == "role":
            services.set_role(user, "admin")
        else:
            services.set_active(user, False)
        db.session.commit()
    assert member.client.get("/moderation").status_code == 302


def test_next_is_followed_when_it_is_a_local_path(member):
    response = member.login(next="/moderation/bans?x=1")
    assert response.headers["Location"] == "/moderation/bans?x=1"


def test_anonymous_visit_is_sent_to_login_with_next(client):
    response = client.get("/moderation/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login?next=/moderation/dashboard"


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_open_redirects_are_refused(member, target):
    response = member.login(next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation"


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_safe_next_rejects_the_corpus(target):
    assert safe_next(target) is None


def test_login_without_csrf_token_is_refused(member):
    response = member.client.post(
        "/staff/login", data={"email": member.email, "password": member.password}
    )
    assert response.status_code == 400
    assert "jeton de sécurité" in page_text(response)
    assert member.client.get("/moderation").status_code == 302


def test_logout_without_csrf_token_keeps_the_session(member):
    member.login()
    assert member.client.post("/staff/logout").status_code == 400
    assert member.client.get("/moderation").status_code == 200


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "FORUM_LIMIT_LOGIN": "3 per minute",
            "FORUM_LIMIT_LOGIN_ACCOUNT": "100 per minute",
        }
    ],
)
def test_login_attempts_are_limited_per_client(member):
    statuses = [member.login(password="wrong password!!").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert "Trop de requêtes" in page_text(member.login())


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "FORUM_LIMIT_LOGIN": "100 per minute",
            "FORUM_LIMIT_LOGIN_ACCOUNT": "3 per minute",
        }
    ],
)
def test_failed_logins_are_limited_per_account_and_client(app, member):
    attacker = StaffMember(app, member.email)
    attacker.client.environ_base["REMOTE_ADDR"] = "203.0.113.1"
    for _ in range(3):
        assert attacker.login(password="wrong password!!").status_code == 400
    # That client is now stopped for this account, even with the right password...
    assert attacker.login().status_code == 429
    # ...but not for other accounts, and the account's owner elsewhere is not stopped.
    create_staff_account(app, "autre@redaction.example")
    other = StaffMember(app, "autre@redaction.example")
    other.client.environ_base["REMOTE_ADDR"] = "203.0.113.1"
    assert other.login().status_code == 302
    assert member.login().status_code == 302


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RATELIMIT_ENABLED": True,
            "FORUM_LIMIT_LOGIN": "100 per minute",
            "FORUM_LIMIT_LOGIN_ACCOUNT": "2 per minute",
        }
    ],
)
def test_successful_logins_do_not_count_against_the_account(member):
    for _ in range(3):
        assert member.login().status_code == 302
        member.logout()


# --- flask staff ... -------------------------------------------------------------------


def test_cli_create_prompts_twice_and_hashes(app, runner):
    result = runner.invoke(
        args=["staff", "create", "Dana@Redaction.example", "--role", "admin", "--name", "Dana"],
        input="a long password 1\n" * 2,
    )
    assert result.exit_code == 0, result.output
    assert "a long password 1" not in result.output
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        assert (user.email, user.role, user.display_name) == (
            "dana@redaction.example",
            "admin",
            "Dana",
        )
        assert user.password_hash.startswith("$argon2id$")
        assert db.session.execute(select(AuditEntry.action)).scalar_one() == "staff_create"
    assert (
        StaffMember(app, "dana@redaction.example", "a long password 1").login().status_code == 302
    )


def test_cli_create_reads_a_piped_password_quietly(app, database_url, tmp_path):
    """`echo pw | flask staff create --password-stdin`, as a newcomer runs it: no warning."""
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("flask")),
            "staff",
            "create",
            "e@redaction.example",
            "--password-stdin",
        ],
        input="a long password 2\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Created moderator e@redaction.example."
    assert "Warning" not in result.stderr and "Password" not in result.stdout
    assert StaffMember(app, "e@redaction.example", "a long password 2").login().status_code == 302


def test_cli_never_takes_the_password_as_an_argument(runner):
    result = runner.invoke(args=["staff", "create", "x@redaction.example", "--password", "p"])
    assert result.exit_code != 0
    assert "No such option" in result.output


@pytest.mark.parametrize(
    "answers, message",
    [
        ("a long password 1\nanother password 2\n" * 2, "do not match"),
        ("short\nshort\n", "at least 12 characters"),
    ],
)
def test_cli_create_refuses_bad_passwords(runner, count_rows, answers, message):
    result = runner.invoke(args=["staff", "create", "x@redaction.example"], input=answers)
    assert message in result.output
    assert count_rows(User) == 0


def test_cli_create_refuses_a_duplicate_and_an_unknown_role(app, runner):
    create_staff_account(app, "eve@redaction.example")
    result = runner.invoke(
        args=["staff", "create", "EVE@redaction.example"], input="a long password 1\n" * 2
    )
    assert result.exit_code == 1 and "already uses" in result.output
    result = runner.invoke(args=["staff", "create", "f@redaction.example", "--role", "root"])
    assert result.exit_code == 2


def test_cli_list_disable_enable_set_role_reset_password(app, runner):
    create_staff_account(app, "gil@redaction.example")
    member = StaffMember(app, "gil@redaction.example")
    assert (
        "gil@redaction.example\tGil\tmoderator\tactive"
        in runner.invoke(args=["staff", "list"]).output
    )

    member.login()
    assert runner.invoke(args=["staff", "disable", "gil@redaction.example"]).exit_code == 0
    assert member.client.get("/moderation").status_code == 302
    assert "disabled" in runner.invoke(args=["staff", "list"]).output
    assert member.login().status_code == 400

    assert runner.invoke(args=["staff", "enable", "gil@redaction.example"]).exit_code == 0
    assert member.login().status_code == 302
    assert (
        runner.invoke(args=["staff", "set-role", "gil@redaction.example", "admin"]).exit_code == 0
    )
    assert member.client.get("/moderation").status_code == 302
    member.login()
    assert member.client.get("/moderation/audit").status_code == 200

    result = runner.invoke(
        args=["staff", "reset-password", "gil@redaction.example"],
        input="the new long password\n" * 2,
    )
    assert result.exit_code == 0, result.output
    assert member.client.get("/moderation").status_code == 302
    assert member.login().status_code == 400
    assert member.login(password="the new long password").status_code == 302
    with app.app_context():
        actions = (
            db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
        )
    assert actions == [
        "staff_create",
        "staff_disable",
        "staff_enable",
        "staff_role",
        "staff_password",
    ]


def test_cli_unknown_account(runner):
    result = runner.invoke(args=["staff", "disable", "nobody@redaction.example"])
    assert result.exit_code == 1 and "No staff account" in result.output


# --- changing one's own password ---------------------------------------------------------


def change_password(member, current: str, new: str, confirm: str | None = None):
    return member.post_form(
        "/staff/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
        page="/staff/password",
    )


def test_password_change_keeps_this_session_and_ends_the_others(app, member):
    member.login()
    other_device = StaffMember(app, member.email)
    other_device.login()
    response = change_password(member, STAFF_PASSWORD, "a fresh and long password")
    assert response.status_code == 303
    assert "Mot de passe changé" in page_text(member.client.get("/moderation"))
    assert other_device.client.get("/moderation").status_code == 302
    assert StaffMember(app, member.email).login().status_code == 400
    assert StaffMember(app, member.email, "a fresh and long password").login().status_code == 302
    with app.app_context():
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "staff_password")
        ).scalar_one()
        assert entry.actor_id == entry.target_user_id


@pytest.mark.parametrize(
    "current, new, confirm, message",
    [
        ("not my password!", "a fresh and long password", None, "Mot de passe actuel incorrect."),
        (STAFF_PASSWORD, "too short", None, "au moins 12 caractères"),
        (
            STAFF_PASSWORD,
            "a fresh and long password",
            "another long password",
            "Les deux saisies du nouveau mot de passe diffèrent.",
        ),
    ],
)
def test_password_change_refusals(app, member, current, new, confirm, message):
    member.login()
    response = change_password(member, current, new, confirm)
    assert response.status_code == 400
    assert message in page_text(response)
    assert member.client.get("/moderation").status_code == 200
    assert StaffMember(app, member.email).login().status_code == 302


def test_staff_pages_are_not_cached(member):
    member.login()
    assert member.client.get("/moderation").headers["Cache-Control"] == "no-store, private"
    assert "no-store" in member.client.get("/staff/login").headers["Cache-Control"]


def test_a_staff_session_replayed_from_another_browser_is_signed_out(app, member):
    member.login()
    assert member.client.get("/moderation").status_code == 200
    stolen = member.client.get_cookie("session").value
    elsewhere = app.test_client()
    elsewhere.set_cookie("session", stolen)
    response = elsewhere.get("/moderation", headers={"User-Agent": "Another browser/1.0"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")
    assert member.client.get("/moderation").status_code == 200  # the real one stays in
