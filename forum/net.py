"""The client's address, as the socket (or a trusted proxy chain) reports it."""

import ipaddress

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from forum.config import ConfigurationError

# Headers only a proxy may set: from any other peer they are dropped before the app reads them.
PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_X_REQUEST_ID",
)


def init_app(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto only for the configured number of trusted proxies,
    and, when FORUM_PROXY_ADDRESSES names them, only on connections from those proxies."""
    proxies = trusted_proxies(app.config.get("FORUM_TRUSTED_PROXIES", 0))
    app.config["FORUM_TRUSTED_PROXIES"] = proxies
    networks = proxy_networks(app.config.get("FORUM_PROXY_ADDRESSES", ""))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
        if networks:
            app.wsgi_app = FromProxiesOnly(app.wsgi_app, networks)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class FromProxiesOnly:
    """WSGI middleware: a request whose peer is not one of the proxies loses the headers a
    proxy sets, so a client that reaches an app host directly cannot choose its address."""

    def __init__(self, wsgi_app, networks: tuple[Network, ...]):
        self.wsgi_app = wsgi_app
        self.networks = networks

    def __call__(self, environ, start_response):
        if not self.from_proxy(environ.get("REMOTE_ADDR", "")):
            environ = {k: v for k, v in environ.items() if k not in PROXY_HEADERS}
        return self.wsgi_app(environ, start_response)

    def from_proxy(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


def proxy_networks(value) -> tuple[Network, ...]:
    """FORUM_PROXY_ADDRESSES: addresses or networks, separated by commas or spaces."""
    parts = value.replace(",", " ").split() if isinstance(value, str) else value
    try:
        return tuple(ipaddress.ip_network(str(part).strip(), strict=False) for part in parts)
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"FORUM_PROXY_ADDRESSES must list the proxies' addresses or networks "
            f"(e.g. '10.0.0.1, 10.0.1.0/24'), not {value!r}."
        ) from None


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
