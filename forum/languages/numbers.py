"""Figures inside the messages Python writes, as the reader's locale writes numbers:
1 234 in French, 1,234 in English (templates use the `number` filter)."""

from __future__ import annotations

from flask_babel import format_number, get_translations


def counted(singular: str, plural: str, count: int) -> str:
    """The plural form for the count, its %(num)s written as the reader's locale writes
    numbers. Flask-Babel's ngettext cannot take a formatted num beside the count that picks
    the form; the templates' ngettext can (num=count|number), with the same messages."""
    return get_translations().ngettext(singular, plural, count) % {"num": format_number(count)}
