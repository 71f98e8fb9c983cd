"""A reply reaches its reader as one e-mail, end to end: Chromium for the readers, a real
`flask notices worker` process for the queue, a real SMTP server (aiosmtpd) for the inbox.

The worker runs against the live server's database and queue: a SQLite queue file beside
a SQLite database, the Redis of FORUM_TEST_REDIS_URL beside PostgreSQL (as in production,
where the queue is shared by every web worker)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.pages import ARTICLE
from tests.browser.reader_helpers import post
from tests.conftest import REDIS_URL, skip_or_fail

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ALICE = "alice@example.org"
BOB = "bob@example.org"
WAIT_MS = 15_000


@pytest.fixture
def app_config(inbox, database_url: str, tmp_path: Path) -> dict:
    if database_url.startswith("sqlite"):
        queue = str(tmp_path / "mail-queue.sqlite3")
    elif REDIS_URL:
        queue = REDIS_URL
    else:
        skip_or_fail("FORUM_TEST_REDIS_URL is not set: the mail queue beside PostgreSQL")
    return {"FORUM_SMTP_URL": f"smtp://127.0.0.1:{inbox.port}", "FORUM_QUEUE_URL": queue}


class MailWorker:
    """`flask notices worker` in a process of its own, configured by its environment as an
    operator would; its output goes to a log file shown when a test fails."""

    def __init__(self, app, site_url: str, log: Path):
        config = app.config
        env = {
            **os.environ,
            "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": config["SECRET_KEY"],
            "FORUM_SMTP_URL": config["FORUM_SMTP_URL"],
            "FORUM_QUEUE_URL": config["FORUM_QUEUE_URL"],
            "FORUM_SITE_URL": site_url,
        }
        self.log = log
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "notices", "worker"]
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )

    def check(self) -> None:
        """Fail at once when the worker has stopped: no e-mail will come."""
        code = self.process.poll()
        assert code is None, f"the worker exited ({code}):\n{self.log.read_text()}"

    def stop(self) -> None:
        self.process.terminate()  # Huey's consumer stops at once on SIGTERM
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def mail_worker(app, live_server, tmp_path: Path) -> Iterator[MailWorker]:
    queue, _tasks = app.extensions["notices_queue"]
    queue.flush()  # a Redis queue outlives the test that filled it
    worker = MailWorker(app, live_server.url, tmp_path / "worker.log")
    try:
        yield worker
    finally:
        worker.stop()
        queue.flush()
        print(worker.log.read_text())  # shown with the test's output when it fails


@pytest.fixture
def new_reader(browser, live_server):
    """new_reader(javascript=True, **options) -> a page in a browser context of its own
    (another reader, with their own cookies)."""
    contexts = []

    def make(javascript: bool = True, **options):
        context = browser.new_context(
            locale="fr-FR",
            base_url=live_server.url,
            java_script_enabled=javascript,
            **options,
        )
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def tab_to(page, target, presses: int = 60) -> None:
    """Move the focus from the top of the page to target with the Tab key only."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    expect(target).to_be_focused()


def link_in(message, live_server, path: str) -> str:
    match = re.search(re.escape(live_server.url) + path + r"[\w.\-/]+", message.get_content())
    assert match, f"no link to {path} in:\n{message.get_content()}"
    return match.group(0)


def test_a_reply_reaches_its_reader_as_one_email_until_she_unsubscribes(
    new_reader, live_server, inbox, mail_worker, output_dir
):
    alice = new_reader(javascript=False)
    alice.goto(ARTICLE)
    post(alice, "Alice", "Le premier avis d'Alice.")

    # Opting in, by keyboard, on the page of her replies.
    alice.goto("/mes-reponses")
    tab_to(alice, alice.get_by_label("Votre adresse e-mail"))
    alice.keyboard.type(ALICE)
    alice.keyboard.press("Enter")
    expect(alice.get_by_text("Un lien de confirmation part vers cette adresse")).to_be_visible()
    expect(alice.get_by_text(f"ouvrez le lien envoyé à {ALICE}")).to_be_visible()
    [confirmation] = inbox.wait_for(ALICE, 1, check=mail_worker.check)
    alice.goto(link_in(confirmation, live_server, "/mes-reponses/courriel/confirmer/"))
    tab_to(alice, alice.get_by_role("button", name="Confirmer mon adresse"))
    alice.keyboard.press("Enter")
    expect(alice.get_by_role("status")).to_contain_text("Votre adresse est confirmée")

    bob = new_reader()
    bob.goto(ARTICLE)
    bob.locator("#c1").get_by_role("link", name="Répondre").click()
    post(bob, "Bob", "Bob vous répond, Alice.")

    mail = inbox.wait_for(ALICE, 2, check=mail_worker.check)[1]
    assert "Nouvelle réponse à votre commentaire" in mail["Subject"]
    assert "Bob vous a répondu" in mail.get_content()
    assert "Bob vous répond, Alice." in mail.get_content()
    assert "Le premier avis d'Alice" not in mail.get_content()
    permalink = link_in(mail, live_server, "/comments/")
    reply_id = permalink.rsplit("/", 1)[1]
    alice.goto(permalink)
    expect(alice).to_have_url(re.compile(rf"#c{reply_id}$"))
    expect(alice.locator(f"#c{reply_id}")).to_contain_text("Bob vous répond, Alice.")

    # The unsubscribe link, opened in another browser (nobody's cookies), and pressed.
    unsubscribe = link_in(mail, live_server, "/mes-reponses/courriel/desabonner/")
    assert mail["List-Unsubscribe"] == f"<{unsubscribe}>"
    elsewhere = new_reader(bypass_csp=True)  # axe is injected by the test
    elsewhere.goto(unsubscribe)
    assert axe_violations(elsewhere) == []
    elsewhere.get_by_role("button", name="Me désabonner").click()
    expect(elsewhere.get_by_role("status")).to_contain_text("Cette adresse est désabonnée")
    elsewhere.screenshot(path=str(output_dir / "notice-mail-unsubscribed.png"))
    alice.goto("/mes-reponses")
    expect(alice.get_by_label("Votre adresse e-mail")).to_have_value("")
    expect(alice.get_by_text(ALICE)).to_have_count(0)

    bob.goto(ARTICLE)
    bob.locator("#c1").get_by_role("link", name="Répondre").click()
    post(bob, "Bob", "Bob insiste, Alice.")
    # Bob then opts in: the worker takes the queue in order, one task at a time, so once his
    # confirmation has arrived, the mail of his second reply would have been sent first.
    bob.goto("/mes-reponses")
    bob.get_by_label("Votre adresse e-mail").fill(BOB)
    bob.get_by_role("button", name="Recevoir un e-mail à chaque réponse").click()
    inbox.wait_for(BOB, 1, check=mail_worker.check)
    sent = [message.get_content() for message in inbox.to(ALICE)]
    assert sent == [confirmation.get_content(), mail.get_content()], "one per reply, then none"
