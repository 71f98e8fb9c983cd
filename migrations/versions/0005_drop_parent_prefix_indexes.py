"""Drop the two comment indexes that start with (article_id, parent_id)

SQLite took "parent_id IS NULL" for a selective equality on them and counted every thread
of a discussion to find a comment's page; the partial thread indexes serve those queries.

Revision ID: 0005_parent_prefix
Revises: 0004_reader_index
Create Date: 2026-12-01 23:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005_parent_prefix'
down_revision = '0004_reader_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_article_top')
        batch_op.drop_index('ix_comments_article_useful')


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_article_useful',
                              ['article_id', 'parent_id', 'useful_count'], unique=False)
        batch_op.create_index('ix_comments_article_top',
                              ['article_id', 'parent_id', 'status', 'created_at'], unique=False)
