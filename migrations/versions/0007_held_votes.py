"""Held votes: a vote beyond an address's allowance is kept but not counted until released

votes.status is "counted" (the default, and every vote before this revision), "held"
(beyond the allowance: waiting for staff), "released" (counted after review) or
"discarded" (kept for the reader's data, never counted).

Revision ID: 0007_held_votes
Revises: 0006_integrity
Create Date: 2026-12-04 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_held_votes'
down_revision = '0006_integrity'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('status', sa.String(length=10), server_default='counted', nullable=False)
        )
        batch_op.create_index('ix_votes_status_created', ['status', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index('ix_votes_status_created')
        batch_op.drop_column('status')
