"""Every user-facing string is marked for translation and translated in every catalog;
no template shows a word that is not marked."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment

from forum.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = ROOT / "forum/translations"


def extracted_messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "counted": (1, 2),  # forum.languages.numbers
        "_l": None,
        "lazy_gettext": None,
    }
    found = set()
    # As `make translations` does (--ignore-dirs ".*"): Babel's default would also skip
    # folders starting with "_", and every string of templates/_macros/ with them.
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=keywords,
        directory_filter=lambda path: not Path(path).name.startswith("."),
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def read_catalog(language: str):
    with (CATALOGS / language / "LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", DEFAULTS["FORUM_LANGUAGES"])
def test_every_catalog_translates_every_marked_string(language):
    catalog = read_catalog(language)
    missing = sorted(m for m in extracted_messages() if m and m not in catalog)
    assert not missing, f"run `make translations`; missing from {language}: {missing[:10]}"
    untranslated = sorted(
        str(m.id) for m in catalog if m.id and (m.fuzzy or not m.string or not all(m.string))
    )
    assert not untranslated, f"translate these in {language} (empty or fuzzy): {untranslated[:10]}"


@pytest.mark.parametrize("language", DEFAULTS["FORUM_LANGUAGES"])
def test_translations_keep_the_placeholders_of_their_msgid(language):
    errors = [
        f"{message.id!r}: {', '.join(map(str, found))}"
        for message, found in read_catalog(language).check()
    ]
    assert not errors, errors


def test_every_template_kind_is_extracted():
    with (ROOT / "babel.cfg").open() as handle:
        method_map, _options = parse_mapping_cfg(handle)
    patterns = [pattern for pattern, _method in method_map]
    kinds = {path.suffix for path in (ROOT / "templates").rglob("*.*")}
    assert {f"templates/**{kind}" for kind in kinds} <= set(patterns), patterns


# Visible text that needs no translation: brand names and signs (none today).
NOT_WORDS: set[str] = set()
USER_FACING_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
BUTTON_TYPES = {"submit", "button", "reset"}
# Contents that are not prose: code, and the keys of keyboard shortcuts.
NOT_PROSE = {"script", "style", "kbd"}
TAG = "\u00a4"  # stands for a Jinja tag or expression in the markup left to check


def template_markup(source: str) -> str:
    """The template's own markup: every Jinja tag and expression replaced by TAG, and the
    text of {% trans %} blocks (translated by Babel) left out."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    parts, previous, in_trans = [], None, False
    for _line, kind, value in env.lex(source):
        if kind == "data":
            parts.append("" if in_trans else value)
        else:
            if kind == "name" and previous == "block_begin" and value in {"trans", "endtrans"}:
                in_trans = value == "trans"
            parts.append(TAG + "\n" * value.count("\n"))
        if kind != "whitespace":
            previous = kind
    return "".join(parts)


class UnmarkedText(HTMLParser):
    """Collects the visible text and user-facing attributes that contain words."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0  # inside a NOT_PROSE element

    def handle_starttag(self, tag, attrs):
        if tag in NOT_PROSE:
            self._hidden += 1
        attributes = dict(attrs)
        shown = set(USER_FACING_ATTRIBUTES)
        if tag == "button" or attributes.get("type") in BUTTON_TYPES:
            shown.add("value")
        for name, value in attrs:
            if name in shown:
                self._check(value or "", f"<{tag} {name}>")

    def handle_endtag(self, tag):
        if tag in NOT_PROSE:
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if not self._hidden:
            self._check(data, "text")

    def _check(self, text: str, where: str) -> None:
        words = " ".join(text.replace(TAG, " ").split())
        if any(c.isalpha() for c in words) and words not in NOT_WORDS:
            self.found.append(f"{where} line {self.getpos()[0]}: {words!r}")


def unmarked_strings(source: str) -> list[str]:
    parser = UnmarkedText()
    parser.feed(template_markup(source))
    parser.close()
    return parser.found


def test_every_visible_string_in_a_template_is_marked_for_translation():
    unmarked = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "templates").rglob("*.*"))
        if (found := unmarked_strings(path.read_text()))
    }
    assert not unmarked, f"wrap these in _() or {{% trans %}}: {unmarked}"


def test_the_template_check_sees_text_attributes_and_trans_blocks():
    source = """<p title="Fermer">{{ _("Bonjour") }} Bienvenue</p>
      <input type="submit" value="Envoyer"><input type="hidden" value="abc">
      <img alt="{{ _('Logo') }}">{% trans %}Texte traduit{% endtrans %} · →
      <script>const texte = "ignoré";</script><kbd>j</kbd>"""
    assert [entry.split(": ", 1)[1] for entry in unmarked_strings(source)] == [
        "'Fermer'",
        "'Bienvenue'",
        "'Envoyer'",
    ]
