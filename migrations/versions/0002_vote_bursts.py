"""index burst-marked votes for the moderation dashboard

Revision ID: 0002_abuse
Revises: 0001
Create Date: 2026-11-25 07:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002_abuse'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # votes.burst exists since 0001; the dashboard reads recent burst votes by time.
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index('ix_votes_burst_created', ['burst', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index('ix_votes_burst_created')
