"""Notices: replies told to the reader they answer, and each reader's private feed

notices.id follows publication order (AUTOINCREMENT on SQLite: an id is never reused),
so a reader's last seen notice id says which replies are new.

Revision ID: 0008_notices
Revises: 0007_held_votes
Create Date: 2026-12-05 07:43:54.327394

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_notices'
down_revision = '0007_held_votes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notice_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reader_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=43), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_feeds')),
    sa.UniqueConstraint('reader_hash', name=op.f('uq_notice_feeds_reader_hash')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_notice_feeds_token_hash'))
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_hash', sa.String(length=64), nullable=False),
    sa.Column('reply_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reply_id'], ['comments.id'], name=op.f('fk_notices_reply_id_comments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('reply_id', name=op.f('uq_notices_reply_id')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index('ix_notices_recipient', ['recipient_hash', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index('ix_notices_recipient')

    op.drop_table('notices')
    op.drop_table('notice_feeds')
