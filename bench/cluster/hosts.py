"""The processes of the cluster: PostgreSQL and Redis on the services host, gunicorn on each
app host, nginx on the proxy; each started inside its host's namespace, as a child of ours."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.cluster.network import PROXY, SERVICES, Host
from bench.proxy import main_config, render_site
from bench.serve import ServerFailed, wait_until_healthy
from forum import ROOT

BIN = Path(sys.executable).parent
PG_PORT = 5432
REDIS_PORT = 6379
# Off the loopback, Redis serves no client without one (its protected mode).
REDIS_PASSWORD = "cluster-redis-password"
APP_PORT = 8000
PROXY_PORT = 80
STATIC_PORT = 8081  # nginx serving a page's bytes as a file, for the benchmark


class Process:
    """A child process with its log file; stopped gracefully, then killed."""

    def __init__(self, name: str, argv: list[str], log: Path, **popen):
        self.name, self.log = name, log
        with open(log, "ab") as output:
            self.popen = subprocess.Popen(argv, stdout=output, stderr=output, **popen)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 30) -> None:
        if not self.running():
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)

    def tail(self, size: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-size:]


def wait_for(check, what: str, process: Process, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.running():
            raise ServerFailed(f"{what} exited with {process.popen.returncode}\n{process.tail()}")
        if check():
            return
        time.sleep(0.2)
    raise ServerFailed(f"{what} did not answer within {timeout:.0f} s\n{process.tail()}")


# --- Services: the cluster's own PostgreSQL and Redis --------------------------------------


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=_version)
    if not found:
        raise ServerFailed("PostgreSQL's server is not installed (/usr/lib/postgresql/*/bin)")
    return Path(found[-1]).parent


def _version(path: str) -> int:
    return int(Path(path).parent.parent.name)


def start_postgresql(workdir: Path, max_connections: int) -> Process:
    """A PostgreSQL instance of its own, initialised into `workdir` and run as `postgres`,
    listening only on the services host's address."""
    data = workdir / "postgresql"
    data.mkdir()
    shutil.chown(data, "postgres", "postgres")
    as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
    subprocess.run(
        [
            *as_postgres,
            str(postgres_bin() / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    (data / "pg_hba.conf").write_text(
        "local all all trust\nhost all all 10.231.0.0/16 trust\n"  # the cluster's subnet only
    )
    server = Process(
        "postgresql",
        SERVICES.command(
            [
                *as_postgres,
                str(postgres_bin() / "postgres"),
                "-D",
                str(data),
                "-c",
                f"listen_addresses={SERVICES.address}",
                "-c",
                f"port={PG_PORT}",
                "-c",
                f"unix_socket_directories={data}",
                "-c",
                f"max_connections={max_connections}",
            ]
        ),
        workdir / "postgresql.log",
    )
    wait_for(lambda: _answers(SERVICES.address, PG_PORT), "PostgreSQL", server)
    subprocess.run(
        ["psql", "-h", SERVICES.address, "-U", "postgres", "-qc", "CREATE DATABASE forum"],
        check=True,
        capture_output=True,
    )
    return server


def start_redis(workdir: Path) -> Process:
    server = Process(
        "redis",
        SERVICES.command(
            [
                "redis-server",
                "--bind",
                SERVICES.address,
                "--port",
                str(REDIS_PORT),
                "--requirepass",
                REDIS_PASSWORD,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ]
        ),
        workdir / "redis.log",
    )
    wait_for(lambda: _answers(SERVICES.address, REDIS_PORT), "Redis", server)
    return server


def _answers(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


# --- App hosts: gunicorn with the production settings --------------------------------------


class AppHost:
    """gunicorn -c gunicorn.conf.py wsgi:app on one app host; stopped and started at will."""

    def __init__(self, host: Host, env: dict[str, str], workdir: Path, workers: int):
        self.host, self.workers = host, workers
        self.log = workdir / f"{host.name}.log"
        self.access_log = workdir / f"{host.name}.access.log"
        self.env = {
            **env,
            "FORUM_BIND": f"{host.address}:{APP_PORT}",
            "FORUM_WORKERS": str(workers),
            "FORUM_ACCESS_LOG": str(self.access_log),
        }
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host.address}:{APP_PORT}"

    def start(self) -> None:
        self.process = Process(
            self.host.name,
            self.host.command([str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"]),
            self.log,
            cwd=ROOT,
            env={**os.environ, **self.env},
        )
        try:
            wait_until_healthy(self.url + "/healthz", self.process.popen, self.workers)
        except ServerFailed as error:
            raise ServerFailed(f"{self.host.name}: {error}\n{self.process.tail()}") from None

    def stop(self) -> None:
        """SIGTERM: gunicorn stops accepting, finishes the requests it holds, exits."""
        if self.process:
            self.process.stop()


# --- The proxy: nginx with deploy/nginx/forum.conf -----------------------------------------


class Proxy:
    """nginx on the proxy host: its own prefix, pid file and configuration."""

    def __init__(self, workdir: Path):
        self.prefix = workdir / "nginx"
        # Not "cache": nginx creates it, owned by its workers' user (www-data) who write it.
        for folder in ("logs", "temp", "static"):
            (self.prefix / folder).mkdir(parents=True, exist_ok=True)
        os.chmod(workdir, 0o755)  # nginx's workers (www-data) read the static file
        self.process: Process | None = None

    def publish(self, page: bytes) -> None:
        """Serve these bytes as a file at static_url."""
        (self.prefix / "static" / "page.html").write_bytes(page)

    @property
    def url(self) -> str:
        return f"http://{PROXY.address}:{PROXY_PORT}"

    @property
    def static_url(self) -> str:
        return f"http://{PROXY.address}:{STATIC_PORT}/page.html"

    def configure(self, app_hosts: list[str]) -> None:
        site = render_site(
            app_hosts,
            f"{PROXY.address}:{PROXY_PORT}",
            self.prefix / "logs",
            self.prefix / "cache",
        )
        (self.prefix / "forum.conf").write_text(site)
        (self.prefix / "nginx.conf").write_text(self._main_config())

    def _main_config(self) -> str:
        return main_config(
            self.prefix, static_listen=f"{PROXY.address}:{STATIC_PORT}", user="www-data"
        )

    def _nginx(self, *args: str) -> list[str]:
        """The nginx command line on this proxy's own prefix and configuration."""
        return ["nginx", "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), *args]

    def start(self, app_hosts: list[str]) -> None:
        self.configure(app_hosts)
        self.process = Process(
            "nginx",
            PROXY.command(self._nginx("-g", "daemon off;")),
            self.prefix / "logs" / "stderr.log",
        )
        wait_for(lambda: _answers(PROXY.address, PROXY_PORT), "nginx", self.process)

    def reload(self, app_hosts: list[str]) -> None:
        """Balance between these hosts from now on (nginx -s reload: no request dropped)."""
        self.configure(app_hosts)
        subprocess.run(
            PROXY.command(self._nginx("-s", "reload")),
            check=True,
            capture_output=True,
        )
        time.sleep(1)  # the old workers finish; the new ones take the new upstream list

    def stop(self) -> None:
        if self.process:
            self.process.stop()
