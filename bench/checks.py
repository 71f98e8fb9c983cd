"""Consistency checks of a benchmark database, after seeding and after the load.

Each check is one cheap SQL statement that counts the rows breaking a rule: 0 is a pass.
They hold whatever the load added (new comments, readers and votes).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

CHECKS = {
    "one article with two questions": """
        SELECT ABS(COUNT(DISTINCT a.id) - 1) + ABS(COUNT(q.id) - 2)
        FROM articles a LEFT JOIN poll_questions q ON q.article_id = a.id""",
    "article cache version set": "SELECT COUNT(*) FROM articles WHERE cache_version <= 0",
    "threads have no thread id": """
        SELECT COUNT(*) FROM comments
        WHERE parent_id IS NULL AND (thread_id IS NOT NULL OR depth <> 0)""",
    "replies have a thread id": """
        SELECT COUNT(*) FROM comments WHERE parent_id IS NOT NULL AND thread_id IS NULL""",
    "no orphan reply": """
        SELECT COUNT(*) FROM comments c LEFT JOIN comments p ON p.id = c.parent_id
        WHERE c.parent_id IS NOT NULL AND p.id IS NULL""",
    "replies in their parent's article": """
        SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id
        WHERE p.article_id <> c.article_id""",
    "replies in their parent's thread": """
        SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id
        WHERE c.thread_id <> COALESCE(p.thread_id, p.id)""",
    "reply depth is parent depth + 1": """
        SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id
        WHERE c.depth <> p.depth + 1""",
    "replies after their parent": """
        SELECT COUNT(*) FROM comments c JOIN comments p ON p.id = c.parent_id
        WHERE c.created_at < p.created_at""",
    "useful_count equals its marks": """
        SELECT COUNT(*) FROM comments c LEFT JOIN (
            SELECT comment_id, COUNT(*) AS n FROM comment_votes GROUP BY comment_id
        ) m ON m.comment_id = c.id
        WHERE c.useful_count <> COALESCE(m.n, 0)""",
    "no orphan mark": """
        SELECT COUNT(*) FROM comment_votes v LEFT JOIN comments c ON c.id = v.comment_id
        WHERE c.id IS NULL""",
    "every body rendered": """
        SELECT COUNT(*) FROM comments
        WHERE body_source = '' OR body_html NOT LIKE '<p>%'""",
    "every vote's choice in its question": """
        SELECT COUNT(*) FROM votes v JOIN poll_choices c ON c.id = v.choice_id
        WHERE c.question_id <> v.question_id""",
    "every voter answered both questions": """
        SELECT COUNT(*) FROM (
            SELECT reader_hash FROM votes GROUP BY reader_hash HAVING COUNT(*) <> 2
        ) partial""",
    "every named reader has a unique name": """
        SELECT COUNT(*) - COUNT(DISTINCT pseudonym_key) FROM readers
        WHERE pseudonym_key IS NOT NULL""",
    "every reader commenter is known by name": """
        SELECT COUNT(*) FROM comments c LEFT JOIN readers r ON r.reader_hash = c.reader_hash
        WHERE c.user_id IS NULL AND (r.id IS NULL OR r.pseudonym <> c.author_name)""",
}


def failed_checks(connection: Connection) -> dict[str, int]:
    """Return each failing check with the number of rows that break it."""
    failures = {}
    for name, statement in CHECKS.items():
        broken = connection.execute(text(statement)).scalar_one()
        if broken:
            failures[name] = int(broken)
    return failures


def table_counts(connection: Connection) -> dict[str, int]:
    names = ("comments", "comment_votes", "votes", "readers")
    return {
        name: connection.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
        for name in names
    }
