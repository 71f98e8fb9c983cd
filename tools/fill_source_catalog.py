"""Fill the French catalog from its msgids: French is the source language of the UI.

Untranslated entries would fall back to the msgid anyway; filling them makes Babel apply the
French plural rule (0 and 1 singular) instead of the English one.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill(path: Path) -> int:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    filled = 0
    for message in catalog:
        if not message.id or (message.string and all(message.string)):
            continue
        message.string = message.id if not message.pluralizable else tuple(message.id)
        message.flags.discard("fuzzy")
        filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100)
    return filled


if __name__ == "__main__":
    default = "forum/translations/fr/LC_MESSAGES/messages.po"
    target = Path(sys.argv[1] if len(sys.argv) > 1 else default)
    print(f"{target}: {fill(target)} entries filled from their French msgid")
