"""Comments' publication time: when a comment first became public

An open article page asks for the comments published since it was shown
(forum.article_pages.live); a comment held for moderation and approved later is new then,
not when it was written. Comments public before this revision (approved, or held by flags
after they were shown) were published when they were written; the others are not yet.

Revision ID: 0010_live_published_at
Revises: 0009_notices_mail
Create Date: 2026-12-05 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_live_published_at'
down_revision = '0009_notices_mail'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
        batch_op.create_index(
            'ix_comments_article_published', ['article_id', 'published_at'], unique=False
        )
    op.execute(
        "UPDATE comments SET published_at = created_at"
        " WHERE status = 'approved' OR (status = 'pending' AND pending_reason = 'flags')"
    )


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_article_published')
        batch_op.drop_column('published_at')
