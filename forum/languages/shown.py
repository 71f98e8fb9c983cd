"""Messages marked for the catalog now and translated when they are shown.

A notice for the next page travels in the session cookie (flashed) or, the vote's, in a
cookie of its own (forum.next_page_notice) until that page shows it. Kept as its source
text, it is translated by that page, in the language the page is shown in, and the request
that left it (a vote, the hottest write) does not choose a language at all: choosing one
and loading its catalog was 8% of a vote's instructions (callgrind).
"""

from __future__ import annotations

from flask_babel import gettext


def N_(message: str) -> str:
    """Mark a message for extraction (N_ is one of pybabel's default keywords); return it
    untranslated."""
    return message


def translated(message: str) -> str:
    """A shown message in the page's language: its translation when it is a message of the
    catalog, else as it is (already translated when it was flashed, or a reader's text).
    No formatting, so a '%' in it is safe."""
    return gettext(message)
