"""The client's address, as the socket (or a trusted proxy chain) reports it."""

import ipaddress

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from forum.config import ConfigurationError


def init_app(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto only for the configured number of trusted proxies."""
    proxies = trusted_proxies(app.config.get("FORUM_TRUSTED_PROXIES", 0))
    app.config["FORUM_TRUSTED_PROXIES"] = proxies
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def trusted_proxies(value) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(
            f"TRUSTED_PROXIES must be a whole number of proxies in front of the app (0 when "
            f"clients connect directly), not {value!r}."
        )
    return value


def client_address() -> str:
    """Return the client address; ProxyFix rewrites remote_addr only for trusted proxies."""
    return request.remote_addr or "unknown"


# One IPv6 subscriber gets a whole /64 (2^64 addresses) to pick from: a per-address rule
# keyed on the full address would let them start afresh with each request.
IPV6_PREFIX = 64


def client_address_key() -> str:
    """The address that per-address rules count on: IPv4 as is, IPv6 by its /64."""
    return address_key(client_address())


def address_key(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)
