"""The figures of a run: the table, the issue's targets (PASS/FAIL), the JSON file."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime
from pathlib import Path

from bench.cached_page import cached_page_rows

RESULTS_DIR = Path(__file__).resolve().parent / "results"
LOADS = (
    ("article", "article page"),
    ("deep", "deep page"),
    ("over_time", "over time page"),
    ("vote", "vote POST"),
    ("comment", "comment POST"),
    ("live_304", "live 304"),
    ("live_open_pages", "1,000 open pages"),
    ("bare", "bare Flask page"),
    ("bare_post", "bare Flask POST"),
    ("bare_vote_db", "bare POST+upsert"),
)
# POST loads, read as answers acknowledged (302) per second.
ACKNOWLEDGED_LOADS = ("vote", "comment", "bare_vote_db")
PAGE_RATIO_MIN = 0.5
P50_GROWTH_MAX = 1.3
# Our vote against the least a recorded vote can be on the same machine, in the same run.
VOTE_RATIO_MIN = 0.6
PSS_MAX_MB = 55


def _by_backend(runs: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for run in sorted(runs, key=lambda r: r["size"]):
        grouped.setdefault(run["backend"], []).append(run)
    return grouped


def _target(name: str, value: str, passed: bool | None) -> dict:
    return {"name": name, "value": value, "passed": passed}


def bare_ratio(run: dict) -> float | None:
    bare = run["bare"]["requests_per_second"]
    return run["article"]["requests_per_second"] / bare if bare else None


def acknowledged_per_second(load: dict) -> float:
    return load["answered_ok"] / load["seconds"] if load["seconds"] else 0.0


def evaluate(runs: list[dict]) -> list[dict]:
    """The issue's targets, each with the figure that decides it."""
    targets = []
    for backend, series in _by_backend(runs).items():
        targets.append(_page_ratio_target(backend, series[-1]))
        if len(series) > 1:
            targets += _growth_targets(backend, series[0], series[-1])
        if backend == "postgresql":
            targets.append(_vote_target(series[-1]))
    targets.append(_memory_target(runs))
    return targets


def _memory_target(runs: list[dict]) -> dict:
    # The proportional share: what a host pays per worker, pages shared with the master and
    # the other workers counted once between them. RSS is shown beside it.
    rss = [mb for run in runs for mb in run["rss_mb"] if mb is not None]
    pss = [mb for run in runs for mb in run.get("pss_mb", []) if mb is not None]
    detail = f"max {max(pss):.1f} MB" if pss else "not measured"
    if rss:
        detail += f" (RSS: max {max(rss):.1f} MB)"
    return _target(
        f"PSS per worker ≤ {PSS_MAX_MB} MB", detail, max(pss) <= PSS_MAX_MB if pss else None
    )


def _page_ratio_target(backend: str, run: dict) -> dict:
    ratio = bare_ratio(run)
    return _target(
        f"{backend}: article page ≥ {PAGE_RATIO_MIN}× bare Flask ({run['size']:,} comments)",
        f"{ratio:.2f}×" if ratio is not None else "no bare figure",
        ratio >= PAGE_RATIO_MIN if ratio is not None else None,
    )


def p50_growth(small: dict, large: dict) -> tuple[float | None, float | None]:
    """The first page's p50 at the large size over the small one: as measured, and with
    each p50 taken relative to the bare page's p50 of the same minute. The sizes are
    measured minutes apart and this machine's speed drifts by a third within that time;
    the bare page, served right after ours, carries the same drift."""
    p50_small, p50_large = small["article"]["p50_ms"], large["article"]["p50_ms"]
    if not (p50_small and p50_large):
        return None, None
    raw = p50_large / p50_small
    bare_small, bare_large = small["bare"]["p50_ms"], large["bare"]["p50_ms"]
    steady = raw * bare_small / bare_large if bare_small and bare_large else None
    return raw, steady


def _growth_targets(backend: str, small: dict, large: dict) -> list[dict]:
    raw, steady = p50_growth(small, large)
    growth = steady if steady is not None else raw
    if steady is not None:
        detail = f"{steady:.2f}× against the bare page of the same minute ({raw:.2f}× as measured)"
    else:
        detail = f"{raw:.2f}×" if raw is not None else "no p50"
    sizes = f"{large['size']:,} / {small['size']:,}"
    same = {k: small["queries"][k] for k in ("first_cold", "first_warm")}
    other = {k: large["queries"][k] for k in ("first_cold", "first_warm")}
    targets = []
    if "over_time" in small["queries"] and "over_time" in large["queries"]:
        # Issue 19: the results over time in a fixed number of queries, whatever the votes.
        before, after = small["queries"]["over_time"], large["queries"]["over_time"]
        targets.append(
            _target(
                f"{backend}: SQL queries per results-over-time page equal at {sizes}",
                f"{after}/{before}",
                before == after,
            )
        )
    return [
        _target(
            f"{backend}: first page p50 at {sizes} comments ≤ {P50_GROWTH_MAX}×",
            detail,
            growth <= P50_GROWTH_MAX if growth is not None else None,
        ),
        _target(
            f"{backend}: SQL queries per first page equal at {sizes}",
            f"cold {other['first_cold']}/{same['first_cold']}, "
            f"warm {other['first_warm']}/{same['first_warm']}",
            same == other,
        ),
        *targets,
    ]


def paired_vote_ratios(run: dict) -> list[float]:
    """Our vote against the bare POST+upsert, load by load: each pair taken side by side."""
    return [ours / bare for ours, bare in run.get("vote_rounds", []) if bare]


def _vote_target(run: dict) -> dict:
    vote = run["vote"]
    rate = acknowledged_per_second(vote)
    recorded = run.get("bare_vote_db")
    floor = acknowledged_per_second(recorded) if recorded else 0.0
    pairs = paired_vote_ratios(run)
    # The median of the pairs when the run kept them (a load caught in a slow spell moves
    # the totals, not the median); the totals' ratio for runs from before.
    ratio = statistics.median(pairs) if pairs else rate / floor if floor else None
    if ratio is not None:
        detail = (
            f"{ratio:.2f}× a bare Flask POST that writes the ballot in one upsert "
            f"({rate:.1f} against {floor:,.0f}/s), {vote['lost']} lost"
        )
        if pairs:
            detail += (
                f"; the median of {len(pairs)} pairs of loads taken in turns "
                f"({', '.join(f'{pair:.2f}' for pair in pairs)}; {rate / floor:.2f}× in all)"
            )
    else:
        detail = f"{rate:.1f} votes/s, no bare POST+upsert figure, {vote['lost']} lost"
    bare = run.get("bare_post", {}).get("requests_per_second")
    if bare:
        detail += f"; {rate / bare:.2f}× a bare Flask POST ({bare:,.0f}/s)"
    return _target(
        f"postgresql: vote ≥ {VOTE_RATIO_MIN}× the bare POST+upsert, none lost "
        f"({run['size']:,} comments)",
        detail,
        ratio >= VOTE_RATIO_MIN and vote["lost"] == 0 if ratio is not None else None,
    )


def _figure(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def load_rows(run: dict) -> list[str]:
    rows = []
    for key, label in LOADS:
        load = run.get(key)
        if load is None:  # a run from before this load was measured
            continue
        rate = (
            acknowledged_per_second(load)
            if key in ACKNOWLEDGED_LOADS
            else load["requests_per_second"]
        )
        rows.append(
            f"{run['backend']:<11}{run['size']:>8,}  {label:<16}{_figure(rate):>10}"
            f"{_figure(load['p50_ms']):>10}{_figure(load['p99_ms']):>10}"
            f"{load['non_2xx_3xx']:>8}{load['socket_errors']:>8}"
        )
    return rows


def summary_row(run: dict) -> str:
    queries = run["queries"]
    rss = ", ".join(_figure(mb) for mb in run["rss_mb"])
    pss = ", ".join(_figure(mb) for mb in run.get("pss_mb", [])) or "-"
    ratio = bare_ratio(run)
    lost = f"{run['vote']['lost']}/{run['comment']['lost']}"
    checks = "ok" if not (run["checks"]["after_seed"] or run["checks"]["after_load"]) else "FAILED"
    return (
        f"{run['backend']:<11}{run['size']:>8,}{run['page_bytes'] / 1024:>9.0f}"
        f"{_figure(ratio, 2):>8}  {queries['first_cold']:>4}/{queries['first_warm']}"
        f"/{queries['deep']:<6}{rss:>14}{pss:>14}{lost:>9}"
        f"{run['seed']['seconds']:>8.1f}  {checks}"
    )


def live_rows(runs: list[dict]) -> list[str]:
    """What one open page costs: the 304 beside the pages, and 1,000 pages asking."""
    lines = []
    for run in runs:
        fastest, paced = run.get("live_304"), run.get("live_open_pages")
        if fastest is None:  # a run from before the live discussion
            continue
        if not lines:
            lines = ["", "live discussion (an open page asks every 15 s; answers 304):"]
        page, bare = run["article"]["requests_per_second"], run["bare"]["requests_per_second"]
        lines.append(
            f"  {run['backend']} {run['size']:,}: 304 at {_figure(fastest['requests_per_second'])}"
            f" req/s (article page {_figure(page)}, bare page {_figure(bare)}),"
            f" {fastest['bytes']} bytes, {_figure(fastest['cpu_ms_per_request'], 2)} ms CPU each;"
            f" {paced['pages']:,} pages: {_figure(paced['requests_per_second'])} req/s,"
            f" p99 {_figure(paced['p99_ms'])} ms, {_figure(paced['cpu_ms_per_request'], 2)}"
            f" ms CPU each, {_figure(paced['core_percent'])} % of one core"
        )
    return lines


def table(results: dict) -> str:
    lines = [
        f"{'backend':<11}{'comments':>8}  {'load':<16}{'req/s':>10}{'p50 ms':>10}"
        f"{'p99 ms':>10}{'non-2xx':>8}{'sockerr':>8}"
    ]
    for run in results["runs"]:
        lines += load_rows(run)
    lines += [
        "",
        "(vote and comment POST: acknowledged answers (302) per second; on PostgreSQL the vote"
        " and the bare POST+upsert are loaded in turns, each figure over all its loads)",
        "",
        f"{'backend':<11}{'comments':>8}{'page KB':>9}{'× bare':>8}  "
        f"{'SQL cold/warm/deep':<18}{'RSS MB/worker':>14}{'PSS MB/worker':>14}{'lost v/c':>9}"
        f"{'seed s':>8}  checks",
    ]
    lines += [summary_row(run) for run in results["runs"]]
    for run in results["runs"]:
        for stage in ("after_seed", "after_load"):
            lines += [
                f"  {run['backend']} {run['size']:,} {stage}: {name}: {count} rows"
                for name, count in run["checks"][stage].items()
            ]
    lines += live_rows(results["runs"])
    if "cached_page" in results:
        lines += cached_page_rows(results["cached_page"])
    lines += [f"{skip['backend']} skipped: {skip['reason']}" for skip in results["skipped"]]
    return "\n".join(lines)


def targets_text(targets: list[dict]) -> str:
    marks = {True: "PASS", False: "FAIL", None: "n/a "}
    return "\n".join(f"{marks[t['passed']]}  {t['name']}: {t['value']}" for t in targets)


def write(results: dict, directory: Path = RESULTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{stamp}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return path


def read(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def compare(first: dict, second: dict) -> str:
    """Two runs side by side: every (backend, size, load) figure both have, and targets."""
    lines = [
        f"A: {first['started'][:16]}  B: {second['started'][:16]}",
        f"{'':<40}{'A':>12}{'B':>12}{'B/A':>8}",
    ]
    others = {(r["backend"], r["size"]): r for r in second["runs"]}
    for run in first["runs"]:
        other = others.get((run["backend"], run["size"]))
        if other is None:
            continue
        for key, label in LOADS:
            if key not in run or key not in other:
                continue
            for field in ("requests_per_second", "p50_ms", "p99_ms"):
                a, b = run[key][field], other[key][field]
                ratio = f"{b / a:.2f}" if a and b else "-"
                name = f"{run['backend']} {run['size']:,} {label} {field.split('_')[0]}"
                lines.append(f"{name:<40}{_figure(a):>12}{_figure(b):>12}{ratio:>8}")
    marks = {True: "PASS", False: "FAIL", None: "n/a"}
    targets_b = {t["name"]: t for t in second["targets"]}
    for target in first["targets"]:
        other = targets_b.get(target["name"])
        b = f"{marks[other['passed']]} {other['value']}" if other else "-"
        lines.append(
            f"{target['name']}\n    A: {marks[target['passed']]} {target['value']}\n    B: {b}"
        )
    return "\n".join(lines)
