from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC: both SQLite and PostgreSQL store and return it unchanged."""
    return datetime.now(UTC).replace(tzinfo=None)
