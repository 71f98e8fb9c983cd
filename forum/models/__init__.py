"""The data model, one module per area; import models from here."""

from forum.models.articles import (
    Article,
    ArticleReason,
    PollChoice,
    PollQuestion,
    Vote,
    VoteChange,
    VoteReason,
)
from forum.models.comments import ChangedMindMark, Comment, CommentVote, Flag, SpentStamp
from forum.models.moderation import AuditEntry, Ban, WordRule
from forum.models.notices import Notice, NoticeFeed, NoticeMail
from forum.models.readers import Reader
from forum.models.staff import User
from forum.models.time import utcnow

__all__ = [
    "Article",
    "ArticleReason",
    "AuditEntry",
    "Ban",
    "ChangedMindMark",
    "Comment",
    "CommentVote",
    "Flag",
    "Notice",
    "NoticeFeed",
    "NoticeMail",
    "PollChoice",
    "PollQuestion",
    "Reader",
    "SpentStamp",
    "User",
    "Vote",
    "VoteChange",
    "VoteReason",
    "WordRule",
    "utcnow",
]
