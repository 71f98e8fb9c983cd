"""Text as a reader sees it: invisible format characters dropped, look-alike letters folded.

The fold is the skeleton of Unicode TR39 (confusables.txt, Unicode 17), as the `disarm`
library computes it, on case-folded text: the Cyrillic "а" of "Mаrtin" folds to the Latin
"a", the Greek "Α" of "Αdmin" to "a". Names and word lists are compared by these keys; the
text itself is stored and shown as written.
"""

from __future__ import annotations

import unicodedata

import disarm


def strip_format(text: str) -> str:
    """Drop format characters (category Cf): zero-width ones, soft hyphen, bidi controls."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def lookalike_key(text: str) -> str:
    """A lower-case key that texts looking alike share ("Alice Mаrtin" -> "alice martin")."""
    return disarm.skeleton_key(strip_format(text).casefold())


def mixes_scripts(text: str) -> bool:
    """Whether letters of several writing systems meet in text (Latin with Cyrillic, ...)."""
    return disarm.is_mixed_script(strip_format(text))
