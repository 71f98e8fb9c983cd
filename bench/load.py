"""Drive a URL with wrk (Debian's package) and read its figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent / "lua"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
_LATENCY = r"([\d.]+)(us|ms|s|m)\b"


class WrkMissing(RuntimeError):
    """wrk is not installed."""


@dataclass
class LoadResult:
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float | None
    p99_ms: float | None
    non_2xx_3xx: int
    socket_errors: int

    @property
    def answered_ok(self) -> int:
        """Responses with a 2xx or 3xx status (for a POST: acknowledged)."""
        return self.requests - self.non_2xx_3xx

    def as_dict(self) -> dict:
        return {**asdict(self), "answered_ok": self.answered_ok}


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissing("wrk is not installed: apt-get install wrk")
    return path


def run_wrk(
    url: str,
    *,
    duration: float,
    connections: int,
    script: str | None = None,
    args: tuple[str, ...] = (),
) -> LoadResult:
    """Run wrk with 2 threads against `url` (with a script of bench/lua/ and its args)."""
    command = [
        wrk_path(),
        "-t2",
        f"-c{max(connections, 2)}",
        f"-d{max(int(duration), 1)}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script:
        command += ["-s", str(LUA_DIR / script)]
    command.append(url)
    if args:
        command += ["--", *args]
    completed = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 60
    )
    return parse_wrk(completed.stdout)


def parse_wrk(output: str) -> LoadResult:
    """Read wrk's text output (run with --latency)."""
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", output)
    if total is None:
        raise ValueError(f"not wrk output: {output[:200]!r}")
    seconds = float(total.group(2)) * UNITS[total.group(3)] / 1000
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    return LoadResult(
        requests=int(total.group(1)),
        seconds=seconds,
        requests_per_second=float(rate.group(1)) if rate else 0.0,
        p50_ms=_percentile(output, "50%"),
        p99_ms=_percentile(output, "99%"),
        non_2xx_3xx=_count(r"Non-2xx or 3xx responses:\s+(\d+)", output),
        socket_errors=sum(
            int(n)
            for n in re.findall(
                r"(?:connect|read|write|timeout) (\d+)", _line(output, "Socket errors:")
            )
        ),
    )


def _percentile(output: str, label: str) -> float | None:
    match = re.search(rf"^\s+{re.escape(label)}\s+{_LATENCY}", output, re.MULTILINE)
    return float(match.group(1)) * UNITS[match.group(2)] if match else None


def _count(pattern: str, output: str) -> int:
    match = re.search(pattern, output)
    return int(match.group(1)) if match else 0


def _line(output: str, start: str) -> str:
    return next((line for line in output.splitlines() if line.strip().startswith(start)), "")
