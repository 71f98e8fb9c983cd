"""Changed minds on comments: "m'a fait changer d'avis", once per reader per comment

comments.changed_minds_count counts the marks (and orders the "changed minds first" sort
through an index like the "most useful" one); changed_mind_marks keeps who gave them.

Revision ID: 0014_changed_mind_marks
Revises: 0013_notice_mail_language
Create Date: 2026-12-05 12:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_changed_mind_marks"
down_revision = "0013_notice_mail_language"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("changed_minds_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_index(
            "ix_comments_article_threads_changed_minds",
            ["article_id", "changed_minds_count", "created_at", "id"],
            unique=False,
            postgresql_where=sa.text("parent_id IS NULL"),
            sqlite_where=sa.text("parent_id IS NULL"),
        )
    op.create_table(
        "changed_mind_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reader_hash", sa.String(length=64), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_changed_mind_marks_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changed_mind_marks")),
        sa.UniqueConstraint(
            "comment_id", "reader_hash", name=op.f("uq_changed_mind_marks_comment_id_reader_hash")
        ),
    )
    with op.batch_alter_table("changed_mind_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_changed_mind_marks_reader_hash"), ["reader_hash"], unique=False
        )


def downgrade():
    with op.batch_alter_table("changed_mind_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changed_mind_marks_reader_hash"))
    op.drop_table("changed_mind_marks")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_article_threads_changed_minds")
        batch_op.drop_column("changed_minds_count")
