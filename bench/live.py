"""What one open article page costs the server: its "anything new?" (forum.article_pages
.live, static/js/live.js) answered 304 while nothing changes.

Two loads on the same server as the page's, right after them: the 304 as fast as it is
answered (requests/s beside the page's and the bare page's of the same run), then 1,000
open pages asking every 15 s (OPEN_PAGES, POLL_SECONDS: 66.7 requests/s offered), with the
workers' CPU time read from /proc around each load: CPU per 304 and the share of one core.
"""

from __future__ import annotations

import os
import re
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.load import run_wrk
from bench.pages import ARTICLE_PATH, fetch

OPEN_PAGES = 1_000
POLL_SECONDS = 15
# The paced load's connections, each standing for OPEN_PAGES / PACED_CONNECTIONS pages
# (gunicorn's sync workers close every connection: 1,000 sockets would measure the kernel).
PACED_CONNECTIONS = 50
PACED_SECONDS_MIN = 15


def live_request(html: str) -> tuple[str, str]:
    """The path and ETag an open page asks with, read from the page as live.js reads them."""
    url, version, since = (
        re.search(rf'data-live-{name}="([^"]+)"', html)[1] for name in ("url", "version", "since")
    )
    return f"{url}?depuis={since}", f'"{version}"'


def _settled_live_request(base: str, attempts: int = 3) -> tuple[str, str, int]:
    """The live request of a freshly read page, once it answers 304: a comment POST still
    in flight when the previous load stopped may commit after the page was read."""
    for _attempt in range(attempts):
        body, _cookies = fetch(base + ARTICLE_PATH)
        path, etag = live_request(body.decode())
        status, size = raw_get(base + path, etag)
        if status == 304:
            return path, etag, size
        time.sleep(1)
    raise RuntimeError(f"{path} answered {status} to its own ETag, not 304")


def measure_live(base: str, workers: list[int], duration: float, connections: int) -> dict:
    path, etag, size = _settled_live_request(base)
    fastest = _with_cpu(
        workers,
        lambda: run_wrk(
            base + path,
            duration=duration,
            connections=connections,
            script="live.lua",
            args=(etag,),
        ),
    )
    pause_ms = round(PACED_CONNECTIONS * POLL_SECONDS * 1000 / OPEN_PAGES)
    paced = _with_cpu(
        workers,
        lambda: run_wrk(
            base + path,
            duration=max(duration, PACED_SECONDS_MIN),
            connections=PACED_CONNECTIONS,
            script="live.lua",
            args=(etag, str(pause_ms)),
        ),
    )
    still, _size = raw_get(base + path, etag)
    if still != 304:
        raise RuntimeError(f"{path} stopped answering 304 during the loads")
    return {
        "live_304": {**fastest, "bytes": size},
        "live_open_pages": {
            **paced,
            "pages": OPEN_PAGES,
            "poll_seconds": POLL_SECONDS,
            "offered_per_second": OPEN_PAGES / POLL_SECONDS,
            "bytes": size,
        },
    }


def _with_cpu(workers: list[int], load) -> dict:
    """The load's figures, with the workers' CPU: per request, and in % of one core."""
    before = cpu_seconds(workers)
    result = load()
    used = cpu_seconds(workers) - before
    return {
        **result.as_dict(),
        "cpu_ms_per_request": 1000 * used / result.requests if result.requests else None,
        "core_percent": 100 * used / result.seconds if result.seconds else None,
    }


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time these processes have used (utime + stime), in seconds."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def raw_get(url: str, etag: str) -> tuple[int, int]:
    """The status and the size on the wire (status line, headers, body) of one answer."""
    parts = urlsplit(url)
    request = (
        f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"If-None-Match: {etag}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(request.encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), len(answer)
