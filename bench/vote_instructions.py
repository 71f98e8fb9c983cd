"""Instructions per vote, ours and the bare POST+upsert, counted by valgrind's callgrind:
the same figure from run to run, whatever else the machine is doing (the req/s of
`make bench` drift 2x on a shared 2-core machine).

    .venv/bin/python -m bench.vote_instructions [--votes 200]

Each side runs twice under callgrind, with a few votes and with `--votes` more: the
difference, divided by `--votes`, is what one vote costs once the process is warm (start-up,
imports and the first votes cancel out). Votes come as in `bench.vote_cpu` (a new reader
from its own address, through Flask's test client) on the PostgreSQL database `make bench`
seeded (FORUM_BENCH_DATABASE_URL). Needs valgrind (Debian's package).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.bare_schema import BARE_VOTES_TABLE, CREATE_BARE_VOTES
from bench.settings import ROOT, postgresql_url

WARM_UP = 30
COLLECTED = re.compile(r"Collected : (\d+)")


def votes_in_this_process(side: str, count: int, first_address: int) -> None:
    """Post `count` votes after a warm-up (run under callgrind by `instructions`)."""
    from bench.pages import VOTE_PATH
    from bench.vote_cpu import bare_client, our_client, post_votes

    ours, body, cookie, html = our_client()
    client, path = (ours, VOTE_PATH) if side == "ours" else (bare_client(html), "/vote-db")
    cookie = cookie if side == "ours" else ""
    post_votes(client, path, body, cookie, WARM_UP, first_address)
    post_votes(client, path, body, cookie, count, first_address + WARM_UP)


def instructions(side: str, count: int, first_address: int) -> int:
    """Instructions of a whole process that posts `count` votes."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={Path(scratch) / 'callgrind.out'}",
            sys.executable,
            "-m",
            "bench.vote_instructions",
            "--in-process",
            side,
            str(count),
            str(first_address),
        ]
        # A fixed hash seed: the same dict layouts, so the same count for the same work.
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    found = COLLECTED.search(run.stderr)
    if run.returncode != 0 or not found:
        raise RuntimeError(f"callgrind run failed ({run.returncode}):\n{run.stderr[-2000:]}")
    return int(found.group(1))


def per_vote(side: str, votes: int, first_address: int) -> int:
    few = instructions(side, 10, first_address)
    many = instructions(side, 10 + votes, first_address + 100_000)
    return (many - few) // votes


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--in-process":
        votes_in_this_process(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--votes", type=int, default=200)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    from sqlalchemy import create_engine, text

    engine = create_engine(postgresql_url())
    with engine.begin() as connection:
        connection.execute(text(CREATE_BARE_VOTES))
    try:
        # Addresses (and so readers' rows) new to this run: a vote is a first vote.
        start = int.from_bytes(os.urandom(2), "big") * 1_000
        ours = per_vote("ours", args.votes, start)
        bare = per_vote("bare", args.votes, start + 500_000)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP TABLE {BARE_VOTES_TABLE}"))
        engine.dispose()
    print(f"our vote:          {ours:>10,} instructions")
    print(f"bare POST+upsert:  {bare:>10,} instructions")
    print(f"bare/ours:         {bare / ours:.2f}x")


if __name__ == "__main__":
    main()
