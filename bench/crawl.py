"""What a crawler walking the pages of a large discussion costs the workers' memory.

`python -m bench.crawl [--backend postgresql] [--size 100000] [--pages 400]` seeds the
article with `size` comments, serves it like `make bench` (gunicorn, 2 workers), asks for
pages 1, 2, 3, ... one after the other as a crawler does, and prints each worker's RSS
and PSS along the way. The in-process cache's budget is FORUM_CACHE_MAX_MB (README).
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request

from bench.pages import ARTICLE_PATH
from bench.seed import seed
from bench.serve import gunicorn, pss_mb, rss_mb, worker_pids
from bench.settings import SECRET, database_url

CHECKPOINTS = (1, 10, 50, 100, 200, 300, 400, 600, 800, 1000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl", description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=400)
    args = parser.parse_args(argv)
    url = database_url(args.backend, args.size)
    seed(url, args.size)
    with gunicorn("bench.wsgi:app", {"DATABASE_URL": url, "SECRET_KEY": SECRET}) as (base, process):
        print(f"{'pages':>6}{'avg KB':>8}  RSS MB per worker   PSS MB per worker")
        print(f"{0:>6}{'-':>8}  {_memory(process.pid)}", flush=True)
        total = 0
        for number in range(1, args.pages + 1):
            try:
                with urllib.request.urlopen(f"{base}{ARTICLE_PATH}?page={number}") as response:
                    total += len(response.read())
            except urllib.error.HTTPError as error:
                print(f"page {number}: {error.code}, the walk ends", flush=True)
                break
            if number in CHECKPOINTS or number == args.pages:
                print(
                    f"{number:>6}{total / number / 1024:>8.0f}  {_memory(process.pid)}", flush=True
                )
    return 0


def _memory(master: int) -> str:
    workers = worker_pids(master)
    rss = ", ".join(f"{rss_mb(pid):.1f}" for pid in workers)
    pss = ", ".join(f"{pss_mb(pid):.1f}" for pid in workers)
    return f"{rss:<19}{pss}"


if __name__ == "__main__":
    sys.exit(main())
