"""Reply notices by e-mail: a confirmed address per reader, and the notice's sent mark

Revision ID: 0009_notices_mail
Revises: 0008_notices
Create Date: 2026-12-05 08:16:21.243598

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_notices_mail'
down_revision = '0008_notices'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notice_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reader_hash', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_mails')),
    sa.UniqueConstraint('reader_hash', name=op.f('uq_notice_mails_reader_hash'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailed_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('mailed_at')

    op.drop_table('notice_mails')
