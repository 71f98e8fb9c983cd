"""Content keeps its own language: articles.language and comments.language

An article's language comes from its content file (`language = "fr"`, the default); a
comment's is the interface language its author wrote it in. Every row before this revision
is French, the only language the forum had.

Revision ID: 0011_english_content_language
Revises: 0010_live_published_at
Create Date: 2026-12-05 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_english_content_language'
down_revision = '0010_live_published_at'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('articles', 'comments'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column('language', sa.String(length=12), server_default='fr', nullable=False)
            )


def downgrade():
    for table in ('comments', 'articles'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('language')
