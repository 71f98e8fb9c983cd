"""Integrity: spent form stamps, "utile" marks' addresses, flag bursts, held addresses

A comment form's stamp is single-use (spent_stamps) and the duplicate-text rule reads an address's
recent comments (ix_comments_address_created); a comment gets only a few "utile"
marks per address (comment_votes.address_hash); flags sent in a burst from one address are
marked for the desk (flags.burst); a reader ban holds new comments from the author's
address for review (bans.held_address_hash).

Revision ID: 0006_integrity
Revises: 0005_parent_prefix
Create Date: 2026-12-04 15:35:22.988476

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_integrity'
down_revision = '0005_parent_prefix'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spent_stamps',
    sa.Column('stamp_id', sa.String(length=32), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('stamp_id', name=op.f('pk_spent_stamps'))
    )
    with op.batch_alter_table('spent_stamps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spent_stamps_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('bans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_address_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_bans_held_address_hash'), ['held_address_hash'], unique=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_address_created', ['address_hash', 'created_at'], unique=False)

    with op.batch_alter_table('comment_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_hash', sa.String(length=64), nullable=True))

    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('burst', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index('ix_flags_address_created', ['address_hash', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_index('ix_flags_address_created')
        batch_op.drop_column('burst')

    with op.batch_alter_table('comment_votes', schema=None) as batch_op:
        batch_op.drop_column('address_hash')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_address_created')

    with op.batch_alter_table('bans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bans_held_address_hash'))
        batch_op.drop_column('held_address_hash')

    with op.batch_alter_table('spent_stamps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spent_stamps_expires_at'))

    op.drop_table('spent_stamps')
