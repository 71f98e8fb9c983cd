"""The client's address, as the socket (or a trusted proxy chain) reports it."""

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
