"""One measurement: seed a size on a backend, serve it, load it, read what it cost."""

from __future__ import annotations

import dataclasses
import os
import secrets
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.bare_schema import BARE_VOTES_TABLE, CREATE_BARE_VOTES
from bench.checks import failed_checks
from bench.live import measure_live
from bench.load import LoadResult, run_wrk
from bench.pages import (
    ARTICLE_PATH,
    COMMENT_PATH,
    OVER_TIME_PATH,
    VOTE_PATH,
    count_queries,
    credentials,
    deep_page_path,
    fetch,
    vote_form,
)
from bench.report import acknowledged_per_second
from bench.seed import seed
from bench.serve import gunicorn, pss_mb, rss_mb, worker_pids
from bench.settings import SECRET, SQLITE_DIR, database_url


@dataclasses.dataclass
class Options:
    duration: float
    connections: int


def server_env(url: str) -> dict[str, str]:
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET}
    if os.environ.get("FORUM_BENCH_REDIS_URL"):
        env["CACHE_REDIS_URL"] = os.environ["FORUM_BENCH_REDIS_URL"]
    return env


def measure(backend: str, size: int, options: Options) -> dict:
    url = database_url(backend, size)
    summary = seed(url, size)
    engine = create_engine(url)
    with engine.connect() as connection:
        after_seed = failed_checks(connection)
    with gunicorn("bench.wsgi:app", server_env(url)) as (base, process):
        run = load_app(base, url, engine, options)
        workers = worker_pids(process.pid)
        run.update(measure_live(base, workers, options.duration, options.connections))
        run["rss_mb"] = [rss_mb(pid) for pid in workers]
        run["pss_mb"] = [pss_mb(pid) for pid in workers]
    with engine.connect() as connection:
        run["checks"] = {"after_seed": after_seed, "after_load": failed_checks(connection)}
    engine.dispose()
    return {"backend": backend, "size": size, "seed": dataclasses.asdict(summary), **run}


def load_app(base: str, url: str, engine, options: Options) -> dict:
    body, cookies = fetch(base + ARTICLE_PATH)
    html = body.decode()
    deep = deep_page_path(html)
    signed = credentials(html, cookies)
    wrk = _wrk(options)
    run = {"page_bytes": len(body), "deep_path": deep, "queries": count_queries(url, deep)}
    run["article"] = wrk(base + ARTICLE_PATH).as_dict()
    vote_body = vote_form(html, signed.csrf_token)

    def our_vote() -> LoadResult:
        return wrk(base + VOTE_PATH, script="vote.lua", args=(vote_body, signed.cookie))

    run.update(measure_bare(body, vote_body, options, engine, our_vote))
    run["deep"] = wrk(base + deep).as_dict()
    run["over_time"] = wrk(base + OVER_TIME_PATH).as_dict()
    run["comment"] = count_rows(
        engine,
        "comments",
        1,
        lambda: wrk(
            base + COMMENT_PATH,
            script="comment.lua",
            args=(signed.csrf_token, signed.cookie, secrets.token_hex(3)),
        ),
    )
    return run


def _wrk(options: Options) -> Callable[..., LoadResult]:
    def run(url: str, **kwargs) -> LoadResult:
        return run_wrk(url, duration=options.duration, connections=options.connections, **kwargs)

    return run


# Our vote and its yardstick take turns, this many loads each: on a shared machine whose
# speed drifts from minute to minute, both then see the same minutes, and the target is
# decided on the median of the ratios of loads taken side by side (bench.report), which a
# single load caught in a slow spell does not move.
VOTE_ROUNDS = 3


def measure_bare(
    page: bytes, vote_body: str, options: Options, engine, our_vote: Callable[[], LoadResult]
) -> dict[str, dict]:
    """The same bytes from a bare Flask app under gunicorn, measured right after ours, and
    the same vote body POSTed to its bare vote (session cookie and redirect only); on
    PostgreSQL, also to its bare vote that writes the ballot's rows in one upsert, in turns
    with our vote (VOTE_ROUNDS), each pair's acknowledged votes per second kept."""
    path = Path(SQLITE_DIR) / "bare-page.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(page)
    env = {"BENCH_BARE_PAGE": str(path)}
    on_postgresql = engine.dialect.name == "postgresql"
    if on_postgresql:
        env["BENCH_BARE_DATABASE_URL"] = engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
    wrk = _wrk(options)
    with gunicorn("bench.bare_app:app", env) as (base, _process):
        loads = {
            "bare": wrk(base + "/").as_dict(),
            "bare_post": wrk(base + "/vote", script="vote.lua", args=(vote_body, "")).as_dict(),
        }
        if not on_postgresql:
            loads["vote"] = count_rows(engine, "votes", 2, our_vote)
            return loads

        def bare_vote() -> LoadResult:
            return wrk(base + "/vote-db", script="vote.lua", args=(vote_body, ""))

        with _bare_votes_table(engine):
            rounds = [
                (
                    count_rows(engine, "votes", 2, our_vote),
                    count_rows(engine, BARE_VOTES_TABLE, 2, bare_vote),
                )
                for _round in range(VOTE_ROUNDS)
            ]
        loads["vote"] = merge_rounds([ours for ours, _bare in rounds])
        loads["bare_vote_db"] = merge_rounds([bare for _ours, bare in rounds])
        loads["vote_rounds"] = [
            [acknowledged_per_second(ours), acknowledged_per_second(bare)] for ours, bare in rounds
        ]
    return loads


@contextmanager
def _bare_votes_table(engine) -> Iterator[None]:
    with engine.begin() as connection:
        connection.execute(text(CREATE_BARE_VOTES))
    try:
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TABLE {BARE_VOTES_TABLE}"))


def merge_rounds(rounds: list[dict]) -> dict:
    """One figure for several loads of one endpoint: their requests over their seconds; the
    median of their p50s and the worst of their p99s (percentiles do not add up)."""
    totals = {
        key: sum(load[key] for load in rounds)
        for key in ("requests", "seconds", "non_2xx_3xx", "socket_errors", "answered_ok")
    }
    for key in ("rows_added", "lost"):
        totals[key] = sum(load.get(key, 0) for load in rounds)
    return {
        **totals,
        "requests_per_second": totals["requests"] / totals["seconds"] if totals["seconds"] else 0.0,
        "p50_ms": statistics.median(load["p50_ms"] or 0.0 for load in rounds),
        "p99_ms": max(load["p99_ms"] or 0.0 for load in rounds),
        "rounds": len(rounds),
    }


def count_rows(engine, table: str, rows_per_post: int, load: Callable[[], LoadResult]) -> dict:
    """Run a POST load and check each acknowledged POST left its rows ("none lost").

    Rows may exceed rows_per_post × acknowledged: requests still in flight when wrk stopped
    were written but never counted as answered.
    """
    before = _count(engine, table)
    result = load()
    added = _count(engine, table) - before
    return {
        **result.as_dict(),
        "rows_added": added,
        "lost": max(0, rows_per_post * result.answered_ok - added),
    }


def _count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
