"""Reading wrk's output, and the POST scripts against a real server."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bench.load import parse_wrk, run_wrk
from forum.comments.pseudonyms import check_pseudonym
from tests.conftest import skip_or_fail

# Captured from wrk 4.1 (Debian): a run where every answer was a 404.
ERRORS_OUTPUT = """\
Running 1s test @ http://127.0.0.1:8765/nothing
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.93ms    2.37ms  33.44ms   96.04%
    Req/Sec   723.90    119.52     1.00k    80.00%
  Latency Distribution
     50%    2.53ms
     75%    3.19ms
     90%    3.98ms
     99%   16.11ms
  1440 requests in 1.00s, 731.43KB read
  Non-2xx or 3xx responses: 1440
Requests/sec:   1438.70
Transfer/sec:     730.77KB
"""

# A slow server: latencies in seconds and microseconds, socket errors, a run in minutes.
SLOW_OUTPUT = """\
Running 1m test @ http://127.0.0.1:8000/articles/x
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.21s   301.47ms   1.98s    68.00%
    Req/Sec     6.51      4.02    20.00     71.00%
  Latency Distribution
     50%  850.00us
     75%    1.31s
     90%    1.62s
     99%    1.93s
  742 requests in 1.00m, 2.10MB read
  Socket errors: connect 0, read 3, write 0, timeout 12
Requests/sec:     12.36
Transfer/sec:     35.81KB
"""


def test_parses_rate_percentiles_and_errors():
    result = parse_wrk(ERRORS_OUTPUT)
    assert (result.requests, result.seconds, result.requests_per_second) == (1440, 1.0, 1438.7)
    assert (result.p50_ms, result.p99_ms) == (2.53, 16.11)
    assert (result.non_2xx_3xx, result.socket_errors, result.answered_ok) == (1440, 0, 0)


def test_parses_other_units_and_socket_errors():
    result = parse_wrk(SLOW_OUTPUT)
    assert result.seconds == 60.0
    assert result.p50_ms == pytest.approx(0.85)
    assert result.p99_ms == pytest.approx(1930.0)
    assert result.socket_errors == 15
    assert result.answered_ok == 742


def test_refuses_what_is_not_wrk_output():
    with pytest.raises(ValueError):
        parse_wrk("wrk: command not found")


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[dict]]]:
    """A real HTTP server that answers 302 to POSTs and 200 to GETs, keeping each request."""
    if shutil.which("wrk") is None:
        skip_or_fail("wrk is not installed (apt-get install wrk): load scripts not tested")
    seen: list[dict] = []

    def app(environ, start_response):
        request = Request(environ)
        seen.append(
            {
                "method": request.method,
                "form": parse_qs(request.get_data(as_text=True)),
                "cookie": request.headers.get("Cookie"),
                "address": request.headers.get("X-Forwarded-For"),
            }
        )
        status = 302 if request.method == "POST" else 200
        return Response("ok", status=status, headers={"Location": "/"})(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", seen
    server.shutdown()
    thread.join()


def test_wrk_runs_against_a_real_server(recorder):
    url, seen = recorder
    result = run_wrk(url, duration=1, connections=2)
    assert result.requests > 10
    assert result.requests <= len(seen)  # more when requests were in flight at the end
    assert result.non_2xx_3xx == 0 and result.p50_ms is not None


def test_vote_script_posts_the_ballot_from_many_addresses(recorder):
    url, seen = recorder
    result = run_wrk(
        url,
        duration=1,
        connections=2,
        script="vote.lua",
        args=("csrf_token=t0k&q_1=2&q_2=7", "session=abc"),
    )
    assert result.answered_ok == result.requests > 10
    assert {request["method"] for request in seen} == {"POST"}
    assert all(r["form"] == {"csrf_token": ["t0k"], "q_1": ["2"], "q_2": ["7"]} for r in seen)
    assert all(r["cookie"] == "session=abc" for r in seen)
    assert len({r["address"] for r in seen}) == len(seen)


def test_comment_script_sends_a_new_valid_pseudonym_and_body_each_time(recorder):
    url, seen = recorder
    run_wrk(url, duration=1, connections=2, script="comment.lua", args=("t0k", "session=abc", "r1"))
    names = [r["form"]["pseudonym"][0] for r in seen]
    bodies = {r["form"]["body"][0] for r in seen}
    assert len(set(names)) == len(names) == len(bodies) > 10
    for name in names[:20]:
        check_pseudonym(name, [])
    assert all(r["form"]["csrf_token"] == ["t0k"] and "website" not in r["form"] for r in seen)
