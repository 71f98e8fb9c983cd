from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models.time import utcnow


class Reader(db.Model):
    """What we remember of an anonymous reader: only the keyed hash of their cookie id."""

    __tablename__ = "readers"

    id: Mapped[int] = mapped_column(primary_key=True)
    reader_hash: Mapped[str] = mapped_column(String(64), unique=True)
    pseudonym: Mapped[str | None] = mapped_column(String(40))
    # Case- and accent-folded pseudonym: one reader per name, no look-alike impersonation.
    pseudonym_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
