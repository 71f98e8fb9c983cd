"""`make bench` (python -m bench): seed, serve, load and report; see README, Benchmarks."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.cached_page import cached_page_target, measure_cached_page
from bench.load import WrkMissing, wrk_path
from bench.runner import Options, measure, server_env
from bench.seed import seed
from bench.settings import database_url, postgresql_url, unreachable

SIZES = (100, 1_000, 10_000, 100_000)
QUICK_SIZES = (100, 1_000)
BACKENDS = ("sqlite", "postgresql")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="sizes 100 and 1,000, 3 s per load")
    parser.add_argument("--sizes", type=_sizes, help="comma-separated comment counts")
    parser.add_argument("--duration", type=float, help="seconds per load (default 10)")
    parser.add_argument(
        "--backends", type=_backends, default=BACKENDS, help="sqlite,postgresql (default both)"
    )
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--seed-only", action="store_true", help="seed, check, stop")
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="through nginx on two app hosts, then one, beside nginx static (bench/cluster)",
    )
    parser.add_argument(
        "--cached-page",
        action="store_true",
        help="only the article page through nginx's micro-cache beside nginx static",
    )
    parser.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("A", "B"),
        help="print two result files side by side",
    )
    args = parser.parse_args(argv)
    args.sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    args.duration = args.duration or (3 if args.quick else 10)
    return args


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(sorted(int(part.replace("_", "")) for part in text.split(",")))


def _backends(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(","))
    unknown = set(chosen) - set(BACKENDS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown backend(s): {', '.join(sorted(unknown))}")
    return chosen


def available_backends(backends: tuple[str, ...]) -> tuple[list[str], list[dict]]:
    """The backends to run, and those skipped with the reason."""
    usable, skipped = [], []
    for backend in backends:
        reason = unreachable(postgresql_url()) if backend == "postgresql" else None
        if reason:
            print(f"PostgreSQL skipped ({postgresql_url()} unreachable): {reason}", flush=True)
            skipped.append({"backend": backend, "reason": reason})
        else:
            usable.append(backend)
    return usable, skipped


def seed_only(backends: list[str], sizes: tuple[int, ...]) -> int:
    for backend in backends:
        for size in sizes:
            summary = seed(database_url(backend, size), size)
            print(
                f"{backend} {size:,} comments: {summary.threads:,} threads, "
                f"{summary.marks:,} marks, {summary.votes:,} votes in "
                f"{summary.seconds:.1f} s",
                flush=True,
            )
    return 0


def measure_cluster(args: argparse.Namespace) -> int:
    from bench.cluster import unavailable_reason
    from bench.cluster.figures import main as cluster_main

    reason = unavailable_reason()
    if reason:
        print(f"The cluster cannot be built here: {reason}", file=sys.stderr)
        return 2
    wrk_path()
    return cluster_main(args.duration, args.connections)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.compare:
        print(report.compare(report.read(args.compare[0]), report.read(args.compare[1])))
        return 0
    if args.cluster:
        return measure_cluster(args)
    backends, skipped = available_backends(args.backends)
    if args.seed_only:
        return seed_only(backends, args.sizes)
    try:
        wrk_path()
    except WrkMissing as error:
        print(error, file=sys.stderr)
        return 2
    results = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": {
            "sizes": [] if args.cached_page else list(args.sizes),
            "duration": args.duration,
            "connections": args.connections,
            "backends": list(args.backends),
            "redis": bool(os.environ.get("FORUM_BENCH_REDIS_URL")),
        },
        "load_average": os.getloadavg(),
        "runs": [],
        "skipped": skipped,
    }
    options = Options(args.duration, args.connections)
    if not args.cached_page:
        for backend in backends:
            for size in args.sizes:
                print(f"measuring {backend}, {size:,} comments", file=sys.stderr, flush=True)
                results["runs"].append(measure(backend, size, options))
    if backends:
        # On PostgreSQL when it is there, as in production; the page is served by nginx.
        backend = "postgresql" if "postgresql" in backends else backends[0]
        print(f"measuring the cached page through nginx, {backend}", file=sys.stderr, flush=True)
        results["cached_page"] = measure_cached_page(
            backend, args.duration, args.connections, server_env
        )
    results["load_average_after"] = os.getloadavg()
    results["targets"] = report.evaluate(results["runs"])
    if "cached_page" in results:
        results["targets"].append(cached_page_target(results["cached_page"]))
    print(report.table(results))
    print()
    print(report.targets_text(results["targets"]))
    print(f"\nfigures written to {report.write(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
