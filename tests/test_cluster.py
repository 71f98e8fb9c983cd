"""Issue 21: two app hosts behind nginx, on network hosts of their own (bench/cluster).

The cluster is built once for the module: Linux network namespaces on a private bridge,
nginx with deploy/nginx/forum.conf on the proxy host, gunicorn with the production settings
on two app hosts, PostgreSQL and Redis of their own on a services host. Each test talks to
it as readers would, through nginx, and straight to one app host when it must tell which.
"""

from __future__ import annotations

import glob
import re
import shutil
import threading
import time

import psycopg
import pytest

from bench.cluster import DATABASE_URL, SECRET, cluster, unavailable_reason
from bench.cluster.client import Browser, csrf_token, hidden_fields
from bench.cluster.crowd import (
    ARTICLE,
    COMMENT,
    MIN_POST_SECONDS,
    VOTE,
    ballot,
    crowd,
    problems,
    reader_hash,
)
from bench.proxy import NGINX_SITE, render_site
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.cluster

READERS = 200
QUESTIONS = 2
STAFF_EMAIL = "moderatrice@redaction.example"
STAFF_PASSWORD = "cluster moderator passphrase"
VOTERS_RE = re.compile(r'<p class="voters">(\d+) votants?</p>')


def missing_tool() -> str | None:
    reason = unavailable_reason()
    if reason:
        return reason
    for tool, package in (("nginx", "nginx-light"), ("redis-server", "redis-server")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian package {package})"
    if not glob.glob("/usr/lib/postgresql/*/bin/postgres"):
        return "PostgreSQL's server is not installed (Debian package postgresql)"
    return None


@pytest.fixture(scope="module")
def site(request):
    reason = missing_tool()
    if reason:
        skip_or_fail(f"the cluster cannot be built here: {reason}")
    with cluster(readers=READERS + 40) as built:
        create_moderator()
        failed = request.session.testsfailed
        yield built
        if request.session.testsfailed > failed:
            print(built.logs())  # shown with the failure's report


def create_moderator() -> None:
    from forum import create_app
    from forum.auth.services import create_staff
    from forum.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET})
    with app.app_context():
        create_staff(STAFF_EMAIL, STAFF_PASSWORD, "moderator", display_name="Modératrice")
        db.session.commit()
        db.engine.dispose()


def query(sql: str, *params) -> list[tuple]:
    url = DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        return connection.execute(sql, params).fetchall()


def gateway_errors(lines: list[str]) -> dict[str, int]:
    """nginx's error log lines counted by cause ("connect() failed (111: Connection
    refused)", "upstream prematurely closed connection", ...)."""
    causes: dict[str, int] = {}
    for line in lines:
        match = re.search(r"\*\d+ (.+?) while ", line)
        cause = match.group(1) if match else line[-80:]
        causes[cause] = causes.get(cause, 0) + 1
    return causes


def test_200_readers_lose_nothing_while_an_app_host_restarts(site):
    app2 = site.apps[1]
    stopped, started = threading.Event(), threading.Event()

    def restart() -> None:
        time.sleep(5)
        app2.stop()  # SIGTERM: gunicorn finishes what it holds and refuses the rest
        stopped.set()
        time.sleep(2)
        app2.start()
        started.set()

    restarter = threading.Thread(target=restart)
    restarter.start()
    visits = crowd(site.url, site.readers[:READERS], spread_seconds=30)
    restarter.join(timeout=60)
    assert stopped.is_set() and started.is_set(), "app2 was stopped and started again"

    failed = [v for v in visits if not (v.vote_acknowledged and v.comment_acknowledged)]
    print(
        f"\n{READERS} readers through nginx while app2 restarted: "
        f"{sum(v.vote_acknowledged for v in visits)} votes and "
        f"{sum(v.comment_acknowledged for v in visits)} comments acknowledged, "
        f"{sum(v.retried for v in visits)} POSTs sent again after a 502; not: "
        f"{[(v.page, v.vote, v.comment, v.error) for v in failed]}\n"
        + f"nginx's errors: {gateway_errors(site.proxy_errors())}"
    )
    # nginx sends a GET, and a POST it could not deliver, to the other host.
    assert all(v.page == 200 for v in visits)
    # A POST that reached app2 as it stopped is answered 502 and not sent elsewhere; the
    # reader's second click, with the same form, goes to app1.
    assert failed == []

    assert problems(visits, DATABASE_URL, SECRET, QUESTIONS) == []
    assert app2.process and app2.process.running()


def test_per_address_limits_and_held_votes_count_once_across_hosts(site):
    hosts = [app.url for app in site.apps]
    # Comments: 6 a minute per address (FORUM_LIMIT_COMMENT), sent to both hosts in turn.
    address = site.readers[READERS]
    forms = []
    for n in range(7):
        browser = Browser(address)
        base = hosts[n % 2]
        page = browser.get(base + ARTICLE)
        forms.append((browser, base, hidden_fields(page.body, f"{COMMENT}#commenter")))
    time.sleep(MIN_POST_SECONDS)
    statuses = [
        browser.post(
            base + COMMENT,
            {
                **form,
                "pseudonym": f"Voisine {n}",
                "body": f"Avis {n} sur la limite commune.",
                "submit": "1",
            },
        ).status
        for n, (browser, base, form) in enumerate(forms)
    ]
    assert statuses == [302] * 6 + [429]

    # Votes: the first 20 new readers of an address in its window count, the next are held.
    address = site.readers[READERS + 1]
    cookies = []
    for n in range(24):
        browser = Browser(address)
        base = hosts[n % 2]
        page = browser.get(base + ARTICLE)
        vote = browser.post(base + VOTE, {**hidden_fields(page.body, VOTE), **ballot(page.body)})
        assert vote.status == 302
        cookies.append(browser.cookies["forum_reader"])
    statuses = [
        {
            status
            for (status,) in query(
                "SELECT status FROM votes WHERE reader_hash = %s", reader_hash(c, SECRET)
            )
        }
        for c in cookies
    ]
    assert statuses == [{"counted"}] * 20 + [{"held"}] * 4


def test_a_change_through_one_host_is_seen_through_the_other(site):
    a, b = (app.url for app in site.apps)
    anonymous = Browser(site.readers[READERS + 2])
    assert anonymous.get(b + ARTICLE).status == 200  # B has the page in its cache now

    # A comment posted through A is on B's next page.
    author = Browser(site.readers[READERS + 3])
    page = author.get(a + ARTICLE)
    time.sleep(MIN_POST_SECONDS)
    marker = f"vu-de-b-{time.time_ns()}"
    form = {**hidden_fields(page.body, f"{COMMENT}#commenter"), "pseudonym": "Autrice"}
    sent = author.post(a + COMMENT, {**form, "body": f"Avis {marker}.", "submit": "1"})
    assert sent.status == 302
    assert marker in anonymous.get(b + ARTICLE).body

    # A vote through A counts in B's figures at once.
    first, second = Browser(site.readers[READERS + 4]), Browser(site.readers[READERS + 5])
    for voter in (first, second):
        page = voter.get(a + ARTICLE)
        if voter is first:
            assert (
                voter.post(a + VOTE, {**hidden_fields(page.body, VOTE), **ballot(page.body)}).status
                == 302
            )
            before = int(VOTERS_RE.search(first.get(b + ARTICLE).body).group(1))
        else:
            assert (
                voter.post(a + VOTE, {**hidden_fields(page.body, VOTE), **ballot(page.body)}).status
                == 302
            )
    assert int(VOTERS_RE.search(first.get(b + ARTICLE).body).group(1)) == before + 1

    # A moderator signed in through A is signed in on B, and a rejection through A hides
    # the comment on B's next page.
    moderator = Browser(site.readers[READERS + 6])
    login = moderator.get(a + "/staff/login")
    signed_in = moderator.post(
        a + "/staff/login",
        {
            "csrf_token": csrf_token(login.body),
            "email": STAFF_EMAIL,
            "password": STAFF_PASSWORD,
            "next": "",
        },
    )
    assert signed_in.status == 302
    desk = moderator.get(b + "/moderation")
    assert desk.status == 200
    assert Browser(site.readers[READERS + 6]).get(b + "/moderation").status == 302
    (comment_id,) = query("SELECT id FROM comments WHERE body_source LIKE %s", f"%{marker}%")[0]
    rejected = moderator.post(
        a + f"/moderation/comments/{comment_id}/reject",
        {"csrf_token": csrf_token(desk.body), "reason": "spam"},
    )
    assert rejected.status == 303
    assert marker not in anonymous.get(b + ARTICLE).body


def test_forwarded_for_is_believed_only_from_the_proxy(site):
    a = site.apps[0].url

    def remaining(browser: Browser, base: str, forged: str) -> int:
        """Vote (the same ballot again) claiming to come from `forged`; return how many votes
        the address the app counted on has left this minute."""
        page = browser.get(base + ARTICLE).body
        form = {**hidden_fields(page, VOTE), **ballot(page)}
        reply = browser.post(base + VOTE, form, headers={"X-Forwarded-For": forged})
        return int(reply.headers["X-RateLimit-Remaining"])

    # Straight to an app host, a forged header changes nothing: the peer is counted.
    direct = Browser(site.readers[READERS + 7])
    first = remaining(direct, a, "198.51.100.1")
    assert remaining(direct, a, "198.51.100.2") == first - 1
    # Through nginx, the address nginx appended is the one counted: two readers have a
    # count each, whatever they forge.
    one, other = Browser(site.readers[READERS + 8]), Browser(site.readers[READERS + 9])
    start = remaining(one, site.url, "198.51.100.3")
    assert remaining(one, site.url, "198.51.100.4") == start - 1
    assert remaining(other, site.url, "198.51.100.3") == start
    # The request id: nginx's is kept, a client's sent straight to a host is not.
    chosen = "chosen-by-the-client-1234"
    assert direct.get(a + "/healthz", {"X-Request-ID": chosen}).headers["X-Request-ID"] != chosen


def test_a_failing_healthz_takes_a_host_out_of_nginx_rotation(site):
    app1, app2 = site.apps
    site.cut_database(app2)
    try:
        assert Browser().get(app2.url + "/healthz").status == 503
        before = site.proxied_to(app1, "/healthz"), site.proxied_to(app2, "/healthz")
        probes = [Browser().get(site.url + "/healthz").status for _ in range(10)]
        time.sleep(0.5)  # nginx logs a request just after answering it
        after = site.proxied_to(app1, "/healthz"), site.proxied_to(app2, "/healthz")
        pages = [Browser().get(site.url + ARTICLE).status for _ in range(10)]
    finally:
        site.restore_database()
    assert probes == [200] * 10 and pages == [200] * 10
    # app2 answered 503 once, then nginx left it out (max_fails=1, fail_timeout=5s).
    assert after[1] - before[1] <= 1
    assert after[0] - before[0] == 10

    # Back in the rotation once its database answers and fail_timeout is over.
    deadline = time.monotonic() + 20
    while Browser().get(app2.url + "/healthz").status != 200:
        assert time.monotonic() < deadline, "app2 did not recover"
        time.sleep(0.5)
    time.sleep(5.5)
    before = site.proxied_to(app2, "/healthz")
    assert [Browser().get(site.url + "/healthz").status for _ in range(10)] == [200] * 10
    time.sleep(0.5)
    assert site.proxied_to(app2, "/healthz") - before >= 3


def test_the_proxy_runs_the_deploy_file_with_only_its_placeholders_filled_in(tmp_path):
    shipped = NGINX_SITE.read_text()
    cache = tmp_path / "cache"
    rendered = render_site(["10.0.0.2:8000", "10.0.0.3:8000"], "10.0.0.1:80", tmp_path, cache)
    directives = [line for line in rendered.splitlines() if not line.lstrip().startswith("#")]
    assert not any("{{" in line for line in directives)
    expected = (
        shipped.replace("{{listen}}", "10.0.0.1:80")
        .replace("{{log_dir}}", str(tmp_path))
        .replace("{{cache_dir}}", str(cache))
    )
    server_line = next(line for line in expected.splitlines() if "server {{app_host}}" in line)
    both = "\n".join(
        server_line.replace("{{app_host}}", h) for h in ("10.0.0.2:8000", "10.0.0.3:8000")
    )
    assert rendered == expected.replace(server_line, both)
