"""CPU per vote in process: our vote and the bare POST+upsert, interleaved, on the seeded
PostgreSQL database of `make bench` (FORUM_BENCH_DATABASE_URL), through Flask's test client.

    .venv/bin/python -m bench.vote_cpu [--votes 2000] [--rounds 3] [--profile]

Each vote comes as wrk's do: a new reader (no reader cookie) from its own address, with
what one first visit gave (no cookie nor CSRF token: the first page is cacheable).
`--profile` prints the costliest functions
of our vote by CPU time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.bare_schema import BARE_VOTES_TABLE, CREATE_BARE_VOTES
from bench.pages import ARTICLE_PATH, VOTE_PATH, credentials, vote_form
from bench.settings import make_app, postgresql_url


def our_client():
    app = make_app(postgresql_url())
    client = app.test_client(use_cookies=False)
    page = client.get(ARTICLE_PATH)
    html = page.get_data(as_text=True)
    signed = credentials(html, page.headers.getlist("Set-Cookie"))
    return client, vote_form(html, signed.csrf_token), signed.cookie, html


def bare_client(html: str):
    page = Path(tempfile.mkdtemp()) / "page.html"
    page.write_text(html, encoding="utf-8")
    os.environ["BENCH_BARE_PAGE"] = str(page)
    os.environ["BENCH_BARE_DATABASE_URL"] = (
        create_engine(postgresql_url()).url.set(drivername="postgresql").render_as_string(False)
    )
    from bench.bare_app import app

    return app.test_client(use_cookies=False)


def post_votes(client, path: str, body: str, cookie: str, count: int, start: int) -> float:
    """CPU seconds of this process for `count` votes, each checked to be acknowledged."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    began = time.process_time()
    for n in range(start, start + count):
        headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        response = client.post(path, data=body, headers=headers)
        if response.status_code != 302:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return time.process_time() - began


def profile_cpu(run) -> None:
    """The costliest functions by CPU time (not wall time: the round trip's wait is not ours)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(run)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(int(os.environ.get("VOTE_CPU_TOP", "60")))
    stats.sort_stats("tottime").print_stats(30)
    if os.environ.get("VOTE_CPU_CALLERS"):
        for name in os.environ["VOTE_CPU_CALLERS"].split(","):
            stats.print_callers(name)
    if os.environ.get("VOTE_CPU_CALLEES"):
        for name in os.environ["VOTE_CPU_CALLEES"].split(","):
            stats.print_callees(name)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--votes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    ours, body, cookie, html = our_client()
    bare = bare_client(html)
    engine = create_engine(postgresql_url())
    with engine.begin() as connection:
        connection.execute(text(CREATE_BARE_VOTES))
    try:
        post_votes(ours, VOTE_PATH, body, cookie, 200, 0)  # warm both up
        post_votes(bare, "/vote-db", body, "", 200, 0)
        best_ours = best_bare = float("inf")
        for round_ in range(args.rounds):
            start = (round_ + 1) * args.votes
            our = post_votes(ours, VOTE_PATH, body, cookie, args.votes, start) / args.votes
            yard = post_votes(bare, "/vote-db", body, "", args.votes, start) / args.votes
            best_ours, best_bare = min(best_ours, our), min(best_bare, yard)
            print(
                f"round {round_ + 1}: ours {our * 1e3:.3f} ms CPU/vote, "
                f"bare POST+upsert {yard * 1e3:.3f} ms, bare/ours {yard / our:.2f}x"
            )
        # Other processes share the cores: the least CPU a round took is the steadiest figure.
        print(
            f"best: ours {best_ours * 1e3:.3f} ms, bare POST+upsert {best_bare * 1e3:.3f} ms, "
            f"bare/ours {best_bare / best_ours:.2f}x"
        )
        if args.profile:
            profile_cpu(lambda: post_votes(ours, VOTE_PATH, body, cookie, args.votes, 10**6))
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TABLE {BARE_VOTES_TABLE}"))
        engine.dispose()


if __name__ == "__main__":
    main()
