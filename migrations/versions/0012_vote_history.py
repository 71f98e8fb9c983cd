"""Vote history: each changed answer kept in vote_changes (issue 19, "changed minds")

votes.previous_choice_id is set by the vote's upsert to the choice the row held before
(NULL on a first vote): the upsert returns it, and a changed answer is then written to
vote_changes. Votes before this revision have no history.

Revision ID: 0012_vote_history
Revises: 0011_english_content_language
Create Date: 2026-12-05 08:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_vote_history'
down_revision = '0011_english_content_language'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_choice_id', sa.Integer(), nullable=True))
    op.create_table(
        'vote_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('reader_hash', sa.String(length=64), nullable=False),
        sa.Column('from_choice_id', sa.Integer(), nullable=False),
        sa.Column('to_choice_id', sa.Integer(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['question_id'], ['poll_questions.id'],
            name=op.f('fk_vote_changes_question_id_poll_questions'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['from_choice_id'], ['poll_choices.id'],
            name=op.f('fk_vote_changes_from_choice_id_poll_choices'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['to_choice_id'], ['poll_choices.id'],
            name=op.f('fk_vote_changes_to_choice_id_poll_choices'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_changes')),
    )
    with op.batch_alter_table('vote_changes', schema=None) as batch_op:
        batch_op.create_index(
            'ix_vote_changes_question_reader', ['question_id', 'reader_hash'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_vote_changes_reader_hash'), ['reader_hash'], unique=False
        )


def downgrade():
    with op.batch_alter_table('vote_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_changes_reader_hash'))
        batch_op.drop_index('ix_vote_changes_question_reader')
    op.drop_table('vote_changes')
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_column('previous_choice_id')
