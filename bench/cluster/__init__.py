"""Several app hosts behind one proxy, on one machine (issue 21).

Four network hosts in Linux network namespaces on a private bridge (10.231.0.0/16): the
proxy (nginx with deploy/nginx/forum.conf), two app hosts (gunicorn -c gunicorn.conf.py
with the production settings) and a services host with a PostgreSQL and a Redis of their
own. `cluster()` builds it all and tears it all down, whatever happens inside.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.cluster.hosts import (
    APP_PORT,
    PG_PORT,
    REDIS_PASSWORD,
    REDIS_PORT,
    AppHost,
    Process,
    Proxy,
    start_postgresql,
    start_redis,
)
from bench.cluster.network import (
    APP_HOSTS,
    GATEWAY,
    PROXY,
    SERVICES,
    NetworkUnavailable,
    network,
    unavailable_reason,
)

__all__ = ["Cluster", "NetworkUnavailable", "cluster", "unavailable_reason"]

SECRET = "cluster-secret-key-for-tests-only-0123456789abcdef"
DATABASE_URL = f"postgresql+psycopg://postgres@{SERVICES.address}:{PG_PORT}/forum"
REDIS = f"redis://:{REDIS_PASSWORD}@{SERVICES.address}:{REDIS_PORT}"
# 2 hosts × 2 workers × (pool 5 + overflow 10) = 60 at the very most, plus the CLI.
MAX_CONNECTIONS = 100


def production_env() -> dict[str, str]:
    """What each app host's gunicorn is started with (docs/DEPLOYMENT.md, the same list)."""
    return {
        "FORUM_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": DATABASE_URL,
        "RATELIMIT_STORAGE_URI": f"{REDIS}/0",
        "CACHE_REDIS_URL": f"{REDIS}/1",
        "TRUSTED_PROXIES": "1",
        "FORUM_PROXY_ADDRESSES": PROXY.address,
        "FORUM_LOG_LEVEL": "warning",
    }


@dataclass
class Cluster:
    workdir: Path
    apps: list[AppHost]
    proxy: Proxy
    readers: list[str]  # client addresses on the machine's side of the bridge
    services: dict[str, Process]  # "postgresql", "redis"

    @property
    def url(self) -> str:
        return self.proxy.url

    def cut_database(self, app: AppHost) -> None:
        """PostgreSQL refuses this app host from now on, and drops its open connections."""
        hba = self.workdir / "postgresql" / "pg_hba.conf"
        hba.write_text(f"host all all {app.host.address}/32 reject\n" + hba.read_text())
        self._sql(
            "SELECT pg_reload_conf()",
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE client_addr = '{app.host.address}'",
        )

    def restore_database(self) -> None:
        hba = self.workdir / "postgresql" / "pg_hba.conf"
        hba.write_text("".join(line for line in hba.open() if " reject" not in line))
        self._sql("SELECT pg_reload_conf()")

    def _sql(self, *statements: str) -> None:
        url = DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)
        time.sleep(0.5)  # the postmaster's reload is asynchronous

    def describe(self) -> str:
        lines = [f"  proxy     {PROXY.address}:80   nginx ({self.proxy.prefix}/forum.conf)"]
        for app in self.apps:
            state = "up" if app.process and app.process.running() else "stopped"
            lines.append(
                f"  {app.host.name:<9} {app.host.address}:{APP_PORT} gunicorn, "
                f"{app.workers} workers ({state})"
            )
        lines.append(f"  services  {SERVICES.address}:{PG_PORT} PostgreSQL, :{REDIS_PORT} Redis")
        lines.append(f"  readers   {GATEWAY} and {len(self.readers)} addresses of their own")
        return "\n".join(lines)

    def proxied_to(self, app: AppHost, path: str) -> int:
        """Requests for `path` that nginx sent to this app host (its access log, JSON)."""
        log = self.proxy.prefix / "logs" / "forum.access.log"
        lines = log.read_text().splitlines() if log.exists() else []
        target = f"{app.host.address}:{APP_PORT}"
        return sum(f'"path":"{path}"' in line and target in line for line in lines)

    def proxy_errors(self) -> list[str]:
        path = self.proxy.prefix / "logs" / "error.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def logs(self, size: int = 1500) -> str:
        """The end of every process's log, for a failure's report."""
        parts = []
        for path in sorted(self.workdir.rglob("*.log")):
            if path.stat().st_size and "access" not in path.name:
                parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-size:]}")
        return "\n".join(parts)


def prepare_database() -> None:
    """Migrate the cluster's database and load the articles (`flask db upgrade` and
    `flask content load`, in this process: it has the app imported already)."""
    from flask_migrate import upgrade

    from forum import create_app
    from forum.articles.content import read_content_dir
    from forum.articles.services import load_articles
    from forum.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade()
        load_articles(read_content_dir())
        db.session.commit()
        db.engine.dispose()


@contextmanager
def cluster(
    readers: int = 0,
    workers: int = 2,
    env: dict[str, str] | None = None,
    seed_comments: int | None = None,
) -> Iterator[Cluster]:
    """Build the network and start every process; stop and remove all of it on the way out.
    `env` adds to (or overrides) the app hosts' production settings; `seed_comments` fills
    the article with that many comments (bench.seed) instead of leaving it empty."""
    with ExitStack() as stack:
        addresses = stack.enter_context(network(readers))
        workdir = Path(tempfile.mkdtemp(prefix="forum-cluster-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        os.chmod(workdir, 0o755)  # PostgreSQL (its own user) keeps its data below
        services = {"postgresql": start_postgresql(workdir, MAX_CONNECTIONS)}
        stack.callback(services["postgresql"].stop)
        services["redis"] = start_redis(workdir)
        stack.callback(services["redis"].stop)
        settings = {**production_env(), **(env or {})}
        apps = [AppHost(host, settings, workdir, workers) for host in APP_HOSTS]
        built = Cluster(workdir, apps, Proxy(workdir), addresses, services)
        if seed_comments is None:
            prepare_database()
        else:
            from bench.seed import seed

            seed(DATABASE_URL, seed_comments, progress=False)
        for app in apps:
            stack.callback(app.stop)
            app.start()
        stack.callback(built.proxy.stop)
        built.proxy.start([f"{app.host.address}:{APP_PORT}" for app in apps])
        yield built
