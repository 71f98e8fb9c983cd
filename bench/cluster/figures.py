"""`make bench BENCH_ARGS=--cluster`: the article page and the vote through nginx, with two
app hosts and then one, beside nginx serving the page's bytes as a file, in one run.

On a 2-core machine the app hosts share the same two cores, so two hosts cannot serve more
than one: the figures say where the CPU goes (nginx, each host's gunicorn, PostgreSQL,
Redis, wrk) for each load, not a speed-up.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine

from bench.cluster import DATABASE_URL, Cluster, cluster
from bench.cluster.hosts import APP_PORT
from bench.load import run_wrk
from bench.pages import ARTICLE_PATH, VOTE_PATH, credentials, fetch, vote_form
from bench.runner import count_rows
from forum import ROOT

RESULTS = ROOT / "bench" / "results"
# wrk sends each vote with an X-Forwarded-For of its own; behind nginx (which appends the
# real client) the app counts the address two hops back: each vote is a new reader from a
# new address, as in `make bench`. Workers are never recycled during a run.
BENCH_ENV = {"TRUSTED_PROXIES": "2", "FORUM_MAX_REQUESTS": "0"}
COMPONENTS = ("nginx", "app1", "app2", "postgresql", "redis", "wrk")
# The machine's busy time that none of them accounts for: other people's work on the cores.
OTHERS = "others"
TICK = os.sysconf("SC_CLK_TCK")


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and every live descendant."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
            for children in Path(f"/proc/{current}/task").glob("*/children"):
                pending += [int(child) for child in children.read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def machine_busy_seconds() -> float:
    """CPU seconds every core has spent busy since boot (/proc/stat, idle and iowait out)."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICK


def cpu_by_component(site: Cluster) -> dict[str, float]:
    roots = {
        "nginx": site.proxy.process,
        "app1": site.apps[0].process,
        "app2": site.apps[1].process,
        "postgresql": site.services["postgresql"],
        "redis": site.services["redis"],
    }
    seconds = {
        name: process_tree_cpu(process.pid) if process and process.running() else 0.0
        for name, process in roots.items()
    }
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds["wrk"] = children.ru_utime + children.ru_stime  # wrk is our only waited child
    seconds["machine"] = machine_busy_seconds()
    return seconds


def measured(site: Cluster, label: str, load) -> dict:
    """Run a load; return its figures and each component's share of the 2 cores."""
    before = cpu_by_component(site)
    result = load()
    after = cpu_by_component(site)
    wall = result["seconds"] or 1.0
    cores = os.cpu_count() or 2
    used = {name: after[name] - before[name] for name in COMPONENTS}
    busy = after["machine"] - before["machine"]
    used[OTHERS] = max(0.0, busy - sum(used.values()))
    print(f"  {label}: {result['requests_per_second']:,.0f} requests/s", file=sys.stderr)
    return {
        "label": label,
        **result,
        "cpu_seconds": used,
        "share_of_cores": {name: seconds / (wall * cores) for name, seconds in used.items()},
    }


def run(duration: float, connections: int, size: int) -> dict:
    engine = create_engine(DATABASE_URL)
    loads = []
    with cluster(env=BENCH_ENV, seed_comments=size) as site:
        body, cookies = fetch(site.url + ARTICLE_PATH)
        html = body.decode()
        signed = credentials(html, cookies)
        ballot = vote_form(html, signed.csrf_token)
        site.proxy.publish(body)

        def wrk(url: str, **kwargs) -> dict:
            return run_wrk(url, duration=duration, connections=connections, **kwargs).as_dict()

        def vote() -> dict:
            return count_rows(
                engine,
                "votes",
                2,
                lambda: run_wrk(
                    site.url + VOTE_PATH,
                    duration=duration,
                    connections=connections,
                    script="vote.lua",
                    args=(ballot, signed.cookie),
                ),
            )

        loads.append(measured(site, "nginx static file", lambda: wrk(site.proxy.static_url)))
        for hosts in (2, 1):
            site.proxy.reload([f"{app.host.address}:{APP_PORT}" for app in site.apps[:hosts]])
            word = "hosts" if hosts > 1 else "host"
            loads.append(
                measured(
                    site, f"article page, {hosts} app {word}", lambda: wrk(site.url + ARTICLE_PATH)
                )
            )
            loads.append(measured(site, f"vote, {hosts} app {word}", vote))
    engine.dispose()
    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "options": {"duration": duration, "connections": connections, "comments": size},
        "page_bytes": len(body),
        "workers_per_host": 2,
        "load_average": os.getloadavg(),
        "loads": loads,
    }


def table(results: dict) -> str:
    columns = (*COMPONENTS, OTHERS)
    head = f"{'load':<26} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'lost':>5}  " + " ".join(
        f"{name:>10}" for name in columns
    )
    lines = [
        f"Through nginx on the cluster, {results['options']['comments']} comments, "
        f"{results['page_bytes']:,}-byte page, wrk -c{results['options']['connections']} "
        f"for {results['options']['duration']:.0f} s per load; columns on the right: each "
        "process group's share of the machine's 2 cores during the load (others: processes "
        "outside the cluster)",
        head,
    ]
    for load in results["loads"]:
        shares = " ".join(f"{load['share_of_cores'][name]:>10.0%}" for name in columns)
        lost = load.get("lost", "")
        lines.append(
            f"{load['label']:<26} {load['requests_per_second']:>8,.0f} "
            f"{load['p50_ms'] or 0:>7.1f} {load['p99_ms'] or 0:>7.1f} {lost!s:>5}  {shares}"
        )
    lines += ["", "CPU milliseconds per request, by process group (what one request costs each)"]
    lines.append(f"{'load':<26} " + " ".join(f"{name:>10}" for name in COMPONENTS))
    for load in results["loads"]:
        requests = max(load["requests"], 1)
        costs = " ".join(
            f"{1000 * load['cpu_seconds'][name] / requests:>10.2f}" for name in COMPONENTS
        )
        lines.append(f"{load['label']:<26} {costs}")
    return "\n".join(lines)


def main(duration: float, connections: int, size: int = 200) -> int:
    results = run(duration, connections, size)
    print(table(results))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"cluster-{results['started'].replace(':', '')}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nfigures written to {path}")
    return 0
