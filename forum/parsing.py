"""Parse numbers from URLs and forms without trusting their size."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# Ids and page numbers fit a 32-bit INTEGER column; anything larger names nothing.
MAX_ID = 2**31 - 1


def bounded_int(value, default: int | None = None, maximum: int = MAX_ID) -> int | None:
    """Return value as a positive int no larger than maximum, else default."""
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return default
    return number if 0 < number <= maximum else default


class BoundedIntConverter(IntegerConverter):
    """The `int` URL converter, refusing (404) ids too large for an INTEGER column."""

    def __init__(
        self,
        map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
