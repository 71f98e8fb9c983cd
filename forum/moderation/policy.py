"""What happens to a comment when a reader posts it: published, held, or refused.

The comments area calls judge_new_comment() for every new comment and every edit; the
moderation area owns the rules (pre-moderation mode, word lists, bans).
"""

from __future__ import annotations

from dataclasses import dataclass

from forum.models import Article


@dataclass(frozen=True)
class PostingVerdict:
    status: str = "approved"  # "approved" or "pending"
    pending_reason: str | None = None  # why it is held: "premoderation", "suspect_word", ...
    refusal: str | None = None  # set when the comment is refused outright: a French message


def judge_new_comment(
    article: Article, reader_hash: str, address_hash: str | None, text: str
) -> PostingVerdict:
    """Decide the fate of a new or edited comment before it is stored."""
    return PostingVerdict()
