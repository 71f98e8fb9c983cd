"""Network hosts on one machine: Linux network namespaces joined by veth pairs to a bridge.

Every address lives on the private subnet 10.231.0.0/16 of a bridge made here; no host has
a default route, so nothing in a namespace can reach an address outside the machine.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

SUBNET_PREFIX = 16
BRIDGE = "fc-br0"
# The machine's own side of the bridge: where the tests, wrk and the demo's readers run.
GATEWAY = "10.231.0.254"
# Extra addresses of the machine's side, one per simulated reader (per-address rules).
READER_NETWORK = "10.231.1"
LOCK_PATH = Path("/run/lock/forum-cluster.lock")


@dataclass(frozen=True)
class Host:
    """A network host: a namespace with one interface on the bridge."""

    name: str  # e.g. "proxy"; the namespace is fc-<name>
    address: str

    @property
    def namespace(self) -> str:
        return f"fc-{self.name}"

    def command(self, argv: Sequence[str]) -> list[str]:
        """`argv` run inside this host's namespace (same process: `ip netns exec` execs)."""
        return ["ip", "netns", "exec", self.namespace, *argv]


PROXY = Host("proxy", "10.231.0.1")
APP_HOSTS = (Host("app1", "10.231.0.2"), Host("app2", "10.231.0.3"))
SERVICES = Host("services", "10.231.0.10")
HOSTS = (PROXY, *APP_HOSTS, SERVICES)


class NetworkUnavailable(RuntimeError):
    """Namespaces cannot be made here (not root, no `ip`, or the kernel refuses)."""


def unavailable_reason() -> str | None:
    """Why this machine cannot build the cluster's network, or None when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    if shutil.which("ip") is None:
        return "`ip` is not installed (Debian package iproute2)"
    probe = "fc-probe"
    _ip("netns", "del", probe, check=False)
    made = _ip("netns", "add", probe, check=False)
    _ip("netns", "del", probe, check=False)
    if made.returncode != 0:
        return f"ip netns add failed: {made.stderr.strip()}"
    return None


@contextmanager
def network(readers: int = 0) -> Iterator[list[str]]:
    """Build the bridge and the hosts; yield `readers` client addresses on the machine's
    side. Everything is removed on the way out, whatever happened inside."""
    reason = unavailable_reason()
    if reason:
        raise NetworkUnavailable(reason)
    LOCK_PATH.parent.mkdir(parents=True, exist_ok=True)
    with open(LOCK_PATH, "w") as lock:
        # One cluster at a time on a machine: the names and the subnet are fixed.
        fcntl.flock(lock, fcntl.LOCK_EX)
        remove_network()  # what a run killed before its teardown left behind
        try:
            yield _build(readers)
        finally:
            remove_network()


def reader_addresses(count: int) -> list[str]:
    return [f"{READER_NETWORK}.{n}" for n in range(1, count + 1)]


def _build(readers: int) -> list[str]:
    _ip("link", "add", BRIDGE, "type", "bridge")
    _ip("addr", "add", f"{GATEWAY}/{SUBNET_PREFIX}", "dev", BRIDGE)
    _ip("link", "set", BRIDGE, "up")
    for host in HOSTS:
        outside, inside = f"fc-{host.name}-o"[:15], f"fc-{host.name}-i"[:15]
        _ip("netns", "add", host.namespace)
        _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        _ip("link", "set", inside, "netns", host.namespace)
        _ip("link", "set", outside, "master", BRIDGE, "up")
        _ip_in(host, "link", "set", "lo", "up")
        _ip_in(host, "addr", "add", f"{host.address}/{SUBNET_PREFIX}", "dev", inside)
        _ip_in(host, "link", "set", inside, "up")
    addresses = reader_addresses(readers)
    if addresses:
        batch = "".join(f"addr add {a}/32 dev {BRIDGE}\n" for a in addresses)
        subprocess.run(["ip", "-batch", "-"], input=batch, text=True, check=True)
    return addresses


def remove_network() -> None:
    """Stop every process left in the hosts' namespaces, then delete them and the bridge."""
    for host in HOSTS:
        pids = _ip("netns", "pids", host.namespace, check=False).stdout.split()
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(int(pid), 9)
        _ip("netns", "del", host.namespace, check=False)
    # Deleting the bridge drops its addresses (the readers' too) and the veth ends on it.
    _ip("link", "del", BRIDGE, check=False)


def block(host: Host, address: str) -> None:
    """Make `address` unreachable from `host` (connections fail at once)."""
    _ip_in(host, "route", "add", "prohibit", f"{address}/32")


def unblock(host: Host, address: str) -> None:
    _ip_in(host, "route", "del", "prohibit", f"{address}/32")


def _ip_in(host: Host, *args: str) -> None:
    _ip("-n", host.namespace, *args)


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    completed = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and completed.returncode != 0:
        raise NetworkUnavailable(f"ip {' '.join(args)}: {completed.stderr.strip()}")
    return completed
