"""The benchmark's report: targets decided from figures, the JSON file, the comparison."""

from __future__ import annotations

import pytest

from bench import report


def load(rate: float, p50: float, *, answered: int | None = None, lost: int = 0) -> dict:
    figures = {
        "requests": 1000,
        "seconds": 10.0,
        "requests_per_second": rate,
        "p50_ms": p50,
        "p99_ms": p50 * 3,
        "non_2xx_3xx": 0,
        "socket_errors": 0,
        "answered_ok": 1000 if answered is None else answered,
    }
    return {**figures, "rows_added": 2 * figures["answered_ok"], "lost": lost}


def run(
    backend: str,
    size: int,
    *,
    page: float = 300,
    bare: float = 400,
    p50: float = 20,
    queries: tuple[int, int] = (12, 1),
    over_time_queries: int = 8,
    votes: int = 12000,
    lost: int = 0,
    rss: tuple[float, ...] = (75.0, 76.0),
    pss: tuple[float, ...] = (50.0, 51.0),
    recorded: int = 15000,
) -> dict:
    return {
        "backend": backend,
        "size": size,
        "page_bytes": 200_000,
        "seed": {"seconds": 1.0},
        "rss_mb": list(rss),
        "pss_mb": list(pss),
        "queries": {
            "first_cold": queries[0],
            "first_warm": queries[1],
            "deep": 10,
            "over_time": over_time_queries,
        },
        "article": load(page, p50),
        "bare": load(bare, 10),
        "deep": load(200, 30),
        "bare_post": load(2500, 3),
        "bare_vote_db": load(0, 8, answered=recorded),
        "vote": load(0, 15, answered=votes, lost=lost),
        "comment": load(0, 50),
        "checks": {"after_seed": {}, "after_load": {}},
    }


def outcomes(runs: list[dict]) -> dict[str, bool | None]:
    return {target["name"].split(" (")[0]: target["passed"] for target in report.evaluate(runs)}


def test_every_target_passes_on_good_figures():
    runs = [run("postgresql", 100), run("postgresql", 100_000, p50=25)]
    assert outcomes(runs) == {
        "postgresql: article page ≥ 0.5× bare Flask": True,
        "postgresql: first page p50 at 100,000 / 100 comments ≤ 1.3×": True,
        "postgresql: SQL queries per first page equal at 100,000 / 100": True,
        "postgresql: SQL queries per results-over-time page equal at 100,000 / 100": True,
        "postgresql: vote ≥ 0.6× the bare POST+upsert, none lost": True,
        "PSS per worker ≤ 55 MB": True,
    }


@pytest.mark.parametrize(
    ("large", "failing"),
    [
        ({"page": 150}, "postgresql: article page ≥ 0.5× bare Flask"),
        ({"p50": 27}, "postgresql: first page p50 at 100,000 / 100 comments ≤ 1.3×"),
        ({"queries": (13, 1)}, "postgresql: SQL queries per first page equal at 100,000 / 100"),
        (
            {"over_time_queries": 9},
            "postgresql: SQL queries per results-over-time page equal at 100,000 / 100",
        ),
        ({"votes": 8990}, "postgresql: vote ≥ 0.6× the bare POST+upsert, none lost"),
        ({"lost": 1}, "postgresql: vote ≥ 0.6× the bare POST+upsert, none lost"),
        ({"pss": (50.0, 55.5)}, "PSS per worker ≤ 55 MB"),
    ],
)
def test_each_target_fails_on_its_own_figure(large, failing):
    results = outcomes([run("postgresql", 100), run("postgresql", 100_000, **large)])
    assert [name for name, passed in results.items() if not passed] == [failing]


def test_one_size_leaves_growth_targets_out_and_sqlite_has_no_vote_target():
    names = list(outcomes([run("sqlite", 100)]))
    assert names == ["sqlite: article page ≥ 0.5× bare Flask", "PSS per worker ≤ 55 MB"]


def test_results_survive_the_json_file(tmp_path):
    runs = [run("sqlite", 100), run("sqlite", 1000)]
    results = {
        "started": "2025-01-01T10:00:00+00:00",
        "runs": runs,
        "skipped": [],
        "targets": report.evaluate(runs),
    }
    path = report.write(results, tmp_path)
    assert path.parent == tmp_path and path.suffix == ".json"
    assert report.read(path) == results


def test_table_and_targets_show_every_load_and_verdict():
    runs = [run("sqlite", 100), run("sqlite", 1000, page=100)]
    results = {"runs": runs, "skipped": [{"backend": "postgresql", "reason": "refused"}]}
    printed = report.table(results)
    for label in (
        "article page",
        "deep page",
        "vote POST",
        "comment POST",
        "bare Flask page",
        "bare Flask POST",
    ):
        assert printed.count(f"  {label} ") == 2
    assert "postgresql skipped: refused" in printed
    verdicts = report.targets_text(report.evaluate(runs))
    assert "FAIL  sqlite: article page ≥ 0.5× bare Flask (1,000 comments): 0.25×" in verdicts


def test_compare_prints_both_runs_side_by_side():
    first = {"started": "2025-01-01T10:00", "runs": [run("sqlite", 100, page=150)]}
    second = {"started": "2025-01-02T10:00", "runs": [run("sqlite", 100, page=450)]}
    for results in (first, second):
        results["targets"] = report.evaluate(results["runs"])
    printed = report.compare(first, second)
    assert "sqlite 100 article page requests" in printed
    row = next(
        line for line in printed.splitlines() if line.startswith("sqlite 100 article page requests")
    )
    assert row.split()[-3:] == ["150.0", "450.0", "3.00"]
    assert "A: FAIL 0.38×" in printed and "B: PASS 1.12×" in printed


def test_memory_is_decided_on_the_proportional_share_with_rss_beside_it():
    measured = run("sqlite", 100, rss=(84.5, 83.0), pss=(54.9, 53.0))
    memory = report.evaluate([measured])[-1]
    assert memory["passed"] is True
    assert memory["value"] == "max 54.9 MB (RSS: max 84.5 MB)"
    assert "54.9, 53.0" in report.summary_row(measured)
    del measured["pss_mb"]
    assert report.evaluate([measured])[-1]["passed"] is None


def test_the_vote_target_is_the_ratio_to_the_bare_vote_that_writes_its_rows():
    measured = run("postgresql", 100, votes=6000, recorded=12000)
    vote = report.evaluate([measured])[1]
    assert vote["passed"] is False
    assert vote["value"] == (
        "0.50× a bare Flask POST that writes the ballot in one upsert (600.0 against 1,200/s),"
        " 0 lost; 0.24× a bare Flask POST (2,500/s)"
    )
    rows = report.table({"runs": [measured], "skipped": []})
    assert "postgresql      100  bare POST+upsert   1,200.0" in rows
    assert report.evaluate([run("postgresql", 100, votes=7200, recorded=12000)])[1]["passed"]


def test_the_vote_target_is_the_median_of_the_loads_taken_side_by_side():
    # Our third load caught a slow spell: its totals fail, the pairs taken in turns do not.
    slowed = run("postgresql", 1000, votes=5400, recorded=10000)
    slowed["vote_rounds"] = [[700.0, 1000.0], [720.0, 1000.0], [200.0, 1000.0]]
    vote = report.evaluate([slowed])[1]
    assert vote["passed"] is True
    assert vote["value"] == (
        "0.70× a bare Flask POST that writes the ballot in one upsert (540.0 against 1,000/s),"
        " 0 lost; the median of 3 pairs of loads taken in turns (0.70, 0.72, 0.20; 0.54× in all);"
        " 0.22× a bare Flask POST (2,500/s)"
    )
    # A yardstick load caught in one does not carry a slow vote past the target either.
    flattered = run("postgresql", 1000, votes=5700, recorded=8000)
    flattered["vote_rounds"] = [[560.0, 1000.0], [580.0, 1000.0], [570.0, 400.0]]
    assert report.evaluate([flattered])[1]["passed"] is False


def test_a_vote_without_its_bare_yardstick_is_not_decided():
    measured = run("postgresql", 100)
    del measured["bare_vote_db"]
    vote = report.evaluate([measured])[1]
    assert vote["passed"] is None
    assert vote["value"].startswith("1200.0 votes/s, no bare POST+upsert figure, 0 lost")


def test_runs_from_before_the_bare_post_still_print_and_compare():
    old, new = run("sqlite", 100), run("sqlite", 100)
    del old["bare_post"]
    assert "bare Flask POST" not in report.table({"runs": [old], "skipped": []})
    results = [{"started": "2025-01-01T10:00", "runs": [r]} for r in (old, new)]
    for result in results:
        result["targets"] = report.evaluate(result["runs"])
    assert "bare Flask POST" not in report.compare(*results)


def test_p50_growth_is_decided_against_the_bare_page_of_the_same_minute():
    small = run("sqlite", 100, p50=6.4)
    large = run("sqlite", 100_000, p50=8.9)
    small["bare"]["p50_ms"], large["bare"]["p50_ms"] = 6.1, 11.1  # the machine slowed down
    growth = report.evaluate([small, large])[1]
    assert growth["passed"] is True
    assert growth["value"] == ("0.76× against the bare page of the same minute (1.39× as measured)")
    large["bare"]["p50_ms"] = 6.1  # same speed: the page itself grew
    assert report.evaluate([small, large])[1]["passed"] is False


def test_what_one_open_page_costs_is_printed_beside_the_pages():
    measured = run("postgresql", 1000)
    measured["live_304"] = {
        **load(2000, 2),
        "bytes": 350,
        "cpu_ms_per_request": 0.9,
        "core_percent": 180.0,
    }
    measured["live_open_pages"] = {
        **load(66.5, 3),
        "bytes": 350,
        "cpu_ms_per_request": 1.1,
        "core_percent": 7.3,
        "pages": 1000,
        "poll_seconds": 15,
        "offered_per_second": 66.7,
    }
    printed = report.table({"runs": [run("sqlite", 1000), measured], "skipped": []})
    assert "  live 304 " in printed and "  1,000 open pages " in printed
    assert (
        "postgresql 1,000: 304 at 2,000.0 req/s (article page 300.0, bare page 400.0), 350 bytes,"
        " 0.90 ms CPU each; 1,000 pages: 66.5 req/s, p99 9.0 ms, 1.10 ms CPU each,"
        " 7.3 % of one core"
    ) in printed


def test_a_load_taken_in_turns_counts_its_requests_over_its_seconds():
    from bench.runner import merge_rounds

    def load(requests, seconds, p50, p99, lost):
        return {
            "requests": requests,
            "seconds": seconds,
            "non_2xx_3xx": 1,
            "socket_errors": 0,
            "answered_ok": requests - 1,
            "rows_added": 2 * requests,
            "lost": lost,
            "requests_per_second": requests / seconds,
            "p50_ms": p50,
            "p99_ms": p99,
        }

    merged = merge_rounds([load(1_000, 3.0, 5.0, 20.0, 0), load(500, 2.0, 7.0, 15.0, 2)])
    # 1,500 requests in 5 s, not the mean of 333 and 250 per second.
    assert merged["requests_per_second"] == 300.0
    assert report.acknowledged_per_second(merged) == 1_498 / 5.0
    assert (merged["lost"], merged["rows_added"], merged["rounds"]) == (2, 3_000, 2)
    assert (merged["p50_ms"], merged["p99_ms"]) == (6.0, 20.0)
