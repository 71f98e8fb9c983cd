"""The article page as a visitor without cookies gets it through nginx with the shipped site
(deploy/nginx/forum.conf: its micro-cache), beside the same nginx serving the same bytes as
a static file, in one run: how close the cached page comes to a file (goal ≥ 0.5×).

The article has CACHED_PAGE_COMMENTS comments (the cluster's page); the app runs under
gunicorn as in the other loads, nginx in front of it on loopback ports (bench/proxy.py).
wrk asks for neither compression nor cookies: both loads send the page's plain bytes.
"""

from __future__ import annotations

import tempfile
import urllib.request
from pathlib import Path

from bench.load import run_wrk
from bench.pages import ARTICLE_PATH
from bench.proxy import nginx_in_front
from bench.seed import seed
from bench.serve import gunicorn
from bench.settings import database_url

CACHED_PAGE_COMMENTS = 200
CACHED_RATIO_MIN = 0.5


def measure_cached_page(backend: str, duration: float, connections: int, env) -> dict:
    url = database_url(backend, CACHED_PAGE_COMMENTS)
    seed(url, CACHED_PAGE_COMMENTS)
    with (
        gunicorn("bench.wsgi:app", env(url)) as (base, _process),
        tempfile.TemporaryDirectory(prefix="forum-bench-nginx-") as workdir,
        nginx_in_front(base.removeprefix("http://"), Path(workdir)) as proxy,
    ):
        page = proxy.url + ARTICLE_PATH
        body, first_status = _get(page)
        proxy.publish(body)
        static = run_wrk(proxy.static_url, duration=duration, connections=connections)
        cached = run_wrk(page, duration=duration, connections=connections)
        _body, status_after = _get(page)
    return {
        "backend": backend,
        "comments": CACHED_PAGE_COMMENTS,
        "page_bytes": len(body),
        "cache_status": [first_status, status_after],
        "nginx_static": static.as_dict(),
        "nginx_cached": cached.as_dict(),
    }


def _get(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), response.headers.get("X-Cache-Status", "")


def cached_ratio(figures: dict) -> float | None:
    static = figures["nginx_static"]["requests_per_second"]
    return figures["nginx_cached"]["requests_per_second"] / static if static else None


def cached_page_target(figures: dict) -> dict:
    ratio = cached_ratio(figures)
    value = (
        f"{ratio:.2f}× ({figures['nginx_cached']['requests_per_second']:,.0f} against "
        f"{figures['nginx_static']['requests_per_second']:,.0f}/s, {figures['backend']}, "
        f"{figures['comments']} comments)"
        if ratio is not None
        else "no figure"
    )
    return {
        "name": f"cached article page through nginx ≥ {CACHED_RATIO_MIN}× nginx static",
        "value": value,
        "passed": None if ratio is None else ratio >= CACHED_RATIO_MIN,
    }


def cached_page_rows(figures: dict) -> list[str]:
    statuses = " then ".join(figures["cache_status"])
    lines = [
        "",
        f"through nginx ({figures['backend']}, {figures['comments']} comments, "
        f"{figures['page_bytes']:,} bytes; X-Cache-Status {statuses}):",
    ]
    for key, label in (("nginx_static", "nginx static file"), ("nginx_cached", "cached page")):
        load = figures[key]
        lines.append(
            f"  {label:<18}{load['requests_per_second']:>10,.1f} req/s  p50 {load['p50_ms']} ms"
            f"  p99 {load['p99_ms']} ms  non-2xx {load['non_2xx_3xx']}"
        )
    return lines
