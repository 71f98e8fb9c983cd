"""Run an app under gunicorn (2 sync workers) for the length of a measurement."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from forum import ROOT

GUNICORN = Path(sys.executable).with_name("gunicorn")
WORKERS = 2


class ServerFailed(RuntimeError):
    """The server did not answer its health check in time."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    app: str,
    env: dict[str, str],
    health_path: str = "/healthz",
    log: Path | None = None,
    workers: int = WORKERS,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Serve `app` (module:name) with the project's gunicorn.conf.py; yield its base URL and
    the master process once every worker is up. The tests start the site the same way."""
    port = free_port()
    # No recycling and warnings only, unless `env` says otherwise: every load meets workers
    # in the same steady state, and the memory read after the run is that of workers that
    # served all the loads.
    environment = {
        **os.environ,
        "FORUM_LOG_LEVEL": "warning",
        "FORUM_MAX_REQUESTS": "0",
        **env,
        "FORUM_BIND": f"127.0.0.1:{port}",
        "FORUM_WORKERS": str(workers),
    }
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 closed below
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", app],
        cwd=ROOT,
        env=environment,
        stdout=output,
        stderr=output,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base + health_path, process, workers)
        yield base, process
    except ServerFailed as error:
        raise ServerFailed(f"{error}\n{_tail(log)}") from None
    finally:
        process.terminate()
        process.wait(timeout=30)
        if log:
            output.close()


def wait_until_healthy(
    url: str, process: subprocess.Popen, workers: int = WORKERS, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"gunicorn exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200 and len(worker_pids(process.pid)) == workers:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise ServerFailed(f"{url} did not answer within {timeout:.0f} s")


def _tail(log: Path | None, size: int = 2000) -> str:
    return log.read_text(errors="replace")[-size:] if log else "(no log kept)"


def worker_pids(master: int) -> list[int]:
    """The master's child processes (gunicorn's workers)."""
    pids = []
    for children in Path(f"/proc/{master}/task").glob("*/children"):
        pids += [int(pid) for pid in children.read_text().split()]
    return sorted(pids)


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process (VmRSS), in MB."""
    return _proc_field_mb(f"/proc/{pid}/status", "VmRSS:")


def pss_mb(pid: int) -> float | None:
    """The process's proportional share of its resident memory (pages shared with the other
    workers, such as the libraries' code, counted once across them), in MB."""
    return _proc_field_mb(f"/proc/{pid}/smaps_rollup", "Pss:")


def private_mb(pid: int) -> float | None:
    """The process's resident pages that no other process shares, in MB."""
    path = f"/proc/{pid}/smaps_rollup"
    clean, dirty = _proc_field_mb(path, "Private_Clean:"), _proc_field_mb(path, "Private_Dirty:")
    return None if clean is None or dirty is None else clean + dirty


def _proc_field_mb(path: str, field: str) -> float | None:
    try:
        text = Path(path).read_text()
    except (FileNotFoundError, PermissionError):
        return None
    for line in text.splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return None
