"""deploy/nginx/forum.conf rendered and run: by the cluster (bench/cluster/hosts.py), and on
one host in front of one app server (tests/test_nginx_cache.py, `make bench`'s cached page
beside nginx serving the same bytes as a file)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from forum import ROOT

NGINX_SITE = ROOT / "deploy" / "nginx" / "forum.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def render_site(app_hosts: list[str], listen: str, log_dir: Path, cache_dir: Path) -> str:
    """deploy/nginx/forum.conf with its placeholders filled in (the only change made)."""
    lines = []
    for line in NGINX_SITE.read_text().splitlines():
        if "{{app_host}}" in line and not line.lstrip().startswith("#"):
            lines += [line.replace("{{app_host}}", host) for host in app_hosts]
        else:
            lines.append(line)
    text = "\n".join(lines) + "\n"
    return (
        text.replace("{{listen}}", listen)
        .replace("{{log_dir}}", str(log_dir))
        .replace("{{cache_dir}}", str(cache_dir))
    )


def main_config(prefix: Path, *, static_listen: str | None, user: str | None) -> str:
    """The frame around the site: nginx's own prefix, temporary paths, and optionally a
    server of the page's bytes as a file (the benchmark's yardstick)."""
    temp = prefix / "temp"
    static = (
        f"""
    server {{
        listen {static_listen};
        access_log off;
        root {prefix}/static;
    }}"""
        if static_listen
        else ""
    )
    return f"""# The frame around deploy/nginx/forum.conf (bench/proxy.py).
{f"user {user};" if user else ""}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    sendfile on;
    include {prefix}/forum.conf;{static}
}}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LocalProxy:
    url: str
    static_url: str
    prefix: Path
    process: subprocess.Popen

    def publish(self, page: bytes) -> None:
        """Serve these bytes as a file at static_url."""
        (self.prefix / "static" / "page.html").write_bytes(page)


@contextmanager
def nginx_in_front(upstream: str, workdir: Path) -> Iterator[LocalProxy]:
    """One nginx (not a daemon, a child of ours) with the shipped site, in front of the app
    server at upstream (host:port) on free loopback ports; its own prefix under workdir."""
    prefix = workdir / "nginx"
    for folder in ("logs", "temp", "static", "cache"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    port, static_port = free_port(), free_port()
    (prefix / "forum.conf").write_text(
        render_site([upstream], f"127.0.0.1:{port}", prefix / "logs", prefix / "cache")
    )
    # As root, nginx's workers would otherwise run as nobody, who cannot enter workdir.
    user = "root" if os.geteuid() == 0 else None
    (prefix / "nginx.conf").write_text(
        main_config(prefix, static_listen=f"127.0.0.1:{static_port}", user=user)
    )
    argv = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"]
    with open(prefix / "logs" / "stderr.log", "ab") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=log)
    proxy = LocalProxy(
        f"http://127.0.0.1:{port}", f"http://127.0.0.1:{static_port}/page.html", prefix, process
    )
    try:
        _wait_for(proxy)
        yield proxy
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(proxy: LocalProxy) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            log = (proxy.prefix / "logs" / "stderr.log").read_text()
            raise RuntimeError(f"nginx stopped: {log}")
        try:
            urllib.request.urlopen(proxy.url + "/healthz", timeout=2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nginx did not answer within 15 s")
