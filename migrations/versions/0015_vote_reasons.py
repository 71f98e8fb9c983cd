"""Why readers vote as they do: each article's list of reasons, and the reasons a reader
ticked with their answer to the credibility question

Revision ID: 0015_vote_reasons
Revises: 0014_changed_mind_marks
Create Date: 2026-12-05 16:40:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_vote_reasons"
down_revision = "0014_changed_mind_marks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "article_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("retired", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_reasons_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_reasons")),
        sa.UniqueConstraint(
            "article_id", "label", name=op.f("uq_article_reasons_article_id_label")
        ),
    )
    op.create_table(
        "vote_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("reader_hash", sa.String(length=64), nullable=False),
        sa.Column("reason_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["poll_questions.id"],
            name=op.f("fk_vote_reasons_question_id_poll_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reason_id"],
            ["article_reasons.id"],
            name=op.f("fk_vote_reasons_reason_id_article_reasons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_reasons")),
        sa.UniqueConstraint(
            "question_id",
            "reader_hash",
            "reason_id",
            name=op.f("uq_vote_reasons_question_id_reader_hash_reason_id"),
        ),
    )
    with op.batch_alter_table("vote_reasons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vote_reasons_reader_hash"), ["reader_hash"], unique=False
        )


def downgrade():
    with op.batch_alter_table("vote_reasons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_reasons_reader_hash"))
    op.drop_table("vote_reasons")
    op.drop_table("article_reasons")
