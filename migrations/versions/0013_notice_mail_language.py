"""Reply e-mails in the reader's language: notice_mails.language

The interface language the reader subscribed in; the worker writes their e-mails in it.
Every address before this revision was given on the French interface, the only one the
forum had when mail notices came.

Revision ID: 0013_notice_mail_language
Revises: 0012_vote_history
Create Date: 2026-12-05 12:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_notice_mail_language'
down_revision = '0012_vote_history'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notice_mails', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('language', sa.String(length=12), server_default='fr', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('notice_mails', schema=None) as batch_op:
        batch_op.drop_column('language')
