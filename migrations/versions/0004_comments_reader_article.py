"""One index on (reader_hash, article_id) for a voter's comments, instead of reader_hash alone

Revision ID: 0004_reader_index
Revises: 0003_perf
Create Date: 2026-12-01 23:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004_reader_index'
down_revision = '0003_perf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_reader_article', ['reader_hash', 'article_id'],
                              unique=False)
        batch_op.drop_index('ix_comments_reader_hash')


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_reader_hash', ['reader_hash'], unique=False)
        batch_op.drop_index('ix_comments_reader_article')
