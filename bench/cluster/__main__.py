"""`make cluster`: build the cluster, print its addresses, send a short load through nginx
while an app host restarts, check every acknowledged write is stored once, tear it down."""

from __future__ import annotations

import argparse
import sys
import threading
import time

from bench.cluster import DATABASE_URL, SECRET, cluster, unavailable_reason
from bench.cluster.crowd import ARTICLE, crowd, problems
from bench.cluster.hosts import APP_PORT


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__)
    parser.add_argument("--readers", type=int, default=60, help="readers (default 60)")
    parser.add_argument("--seconds", type=float, default=10, help="their starts spread over")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    reason = unavailable_reason()
    if reason:
        print(f"The cluster cannot be built here: {reason}", file=sys.stderr)
        return 2
    started = time.monotonic()
    with cluster(readers=args.readers) as site:
        print(f"The cluster is up ({time.monotonic() - started:.0f} s):")
        print(site.describe())
        print(f"  nginx's site: deploy/nginx/forum.conf, rendered to {site.proxy.prefix}")
        print(f"\n{args.readers} readers open the article, vote and comment through nginx")
        print(f"({site.url}), each from an address of their own; app2 restarts meanwhile,")
        print("taken out of nginx's list first (a rolling restart, docs/DEPLOYMENT.md).")
        restarter = threading.Thread(target=restart, args=(site, args.seconds / 3))
        restarter.start()
        visits = crowd(site.url, site.readers, spread_seconds=args.seconds)
        restarter.join()
        found = problems(visits, DATABASE_URL, SECRET)
        report(site, visits)
    print("The cluster is torn down: namespaces, bridge and processes removed.")
    for problem in found:
        print(f"  PROBLEM: {problem}")
    return 1 if found else 0


def restart(site, after: float) -> None:
    """A rolling restart's step, as docs/DEPLOYMENT.md tells it: nginx stops sending to the
    host (reload without it), the host stops and starts, nginx sends to it again."""
    app = site.apps[1]
    everyone = [f"{a.host.address}:{APP_PORT}" for a in site.apps]
    time.sleep(after)
    site.proxy.reload([host for host in everyone if not host.startswith(app.host.address)])
    app.stop()
    print(f"  {app.host.name} taken out of nginx's list and stopped", flush=True)
    time.sleep(2)
    app.start()
    site.proxy.reload(everyone)
    print(f"  {app.host.name} started again and back in nginx's list", flush=True)


def report(site, visits) -> None:
    votes = sum(v.vote_acknowledged for v in visits)
    comments = sum(v.comment_acknowledged for v in visits)
    print(
        f"\nAcknowledged: {votes} votes and {comments} comments of {len(visits)} readers "
        f"({sum(v.retried for v in visits)} POSTs sent again after a 502)."
    )
    time.sleep(0.5)  # nginx logs a request just after answering it
    split = ", ".join(f"{app.host.name} {site.proxied_to(app, ARTICLE)}" for app in site.apps)
    print(f"Article pages served by: {split}.")


if __name__ == "__main__":
    sys.exit(main())
