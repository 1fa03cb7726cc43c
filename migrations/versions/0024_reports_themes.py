"""Reports: themes found in what customers write (keyphrases + clusters, issue 18)

Revision ID: 0024_reports_themes
Revises: 0023_sla_category_targets
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_reports_themes"
down_revision = "0023_sla_category_targets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_themes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("keyphrases", sa.JSON(), nullable=False),
        sa.Column("centroid", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_report_themes_language", "report_themes", ["language"])
    op.create_table(
        "report_theme_mentions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("theme_id", sa.Integer(), sa.ForeignKey("report_themes.id", ondelete="SET NULL")),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id", ondelete="CASCADE")),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("source", "source_id", name="uq_report_theme_mentions_source"),
    )
    op.create_index("ix_report_theme_mentions_theme", "report_theme_mentions", ["theme_id", "written_at"])
    op.create_index("ix_report_theme_mentions_complaint_id", "report_theme_mentions", ["complaint_id"])
    op.create_index("ix_report_theme_mentions_pending", "report_theme_mentions", ["language", "written_at"],
                    sqlite_where=sa.text("theme_id IS NULL"), postgresql_where=sa.text("theme_id IS NULL"))
    op.create_table(
        "report_theme_cursors",
        sa.Column("source", sa.String(10), primary_key=True),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_theme_cursors")
    op.drop_index("ix_report_theme_mentions_pending", table_name="report_theme_mentions")
    op.drop_table("report_theme_mentions")
    op.drop_index("ix_report_themes_language", table_name="report_themes")
    op.drop_table("report_themes")
