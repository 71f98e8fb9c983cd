"""Every user-facing string is marked for translation and present in the French catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "forum/translations/fr/LC_MESSAGES/messages.po"


def extracted_messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_french_catalog_has_every_marked_string():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    missing = sorted(m for m in extracted_messages() if m and m not in catalog)
    assert not missing, f"run `make translations`; missing from the catalog: {missing[:10]}"
