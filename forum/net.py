"""The client's address, as the socket (or a trusted proxy chain) reports it."""

from flask import request


def client_address() -> str:
    """Return the client address; ProxyFix rewrites remote_addr only for trusted proxies."""
    return request.remote_addr or "unknown"
