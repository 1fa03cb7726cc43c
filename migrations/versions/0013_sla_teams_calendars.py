"""Business hours (issue 17): calendars, their closed days and open spans; teams and members;
the complaint's team, waiting time and pre-breach warning moments.

Plain ADD COLUMNs on complaints (no SQLite table rebuild, so the count triggers stay).

Revision ID: 0013_sla_teams_calendars
Revises: 0012_surveys_loop_branching
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_sla_teams_calendars"
down_revision = "0012_surveys_loop_branching"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendars",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("holiday_country", sa.String(2)),
        sa.Column("holiday_region", sa.String(10)),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("uq_calendars_default", "calendars", ["is_default"], unique=True,
                    sqlite_where=sa.text("is_default"), postgresql_where=sa.text("is_default"))
    op.create_table(
        "calendar_closed_days",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("calendar_id", sa.Integer(), sa.ForeignKey("calendars.id", ondelete="CASCADE"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.UniqueConstraint("calendar_id", "day"),
    )
    op.create_table(
        "calendar_spans",
        sa.Column("calendar_id", sa.Integer(), sa.ForeignKey("calendars.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("starts_at", sa.DateTime(), primary_key=True),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("before_seconds", sa.Float(), nullable=False),
        sa.Column("after_seconds", sa.Float(), nullable=False),
    )
    op.create_index("ix_calendar_spans_after", "calendar_spans", ["calendar_id", "after_seconds"])
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("staff_users.id", ondelete="SET NULL")),
        sa.Column("calendar_id", sa.Integer(), sa.ForeignKey("calendars.id", ondelete="SET NULL")),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("staff_user_id", sa.Integer(), sa.ForeignKey("staff_users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("away", sa.Boolean(), nullable=False),
        sa.Column("away_until", sa.Date()),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_team_members_staff_user_id", "team_members", ["staff_user_id"])
    # No foreign key (see complaints.models): SQLite would need the table rebuilt, triggers and all.
    op.add_column("complaints", sa.Column("team_id", sa.Integer(), nullable=True))
    op.create_index("ix_complaints_team_id", "complaints", ["team_id"])
    op.add_column("complaints", sa.Column("waiting_since", sa.DateTime(), nullable=True))
    op.add_column("complaints", sa.Column("sla_paused_seconds", sa.Integer(), nullable=False,
                                          server_default=sa.text("0")))
    op.add_column("complaints", sa.Column("first_response_warn_at", sa.DateTime(), nullable=True))
    op.add_column("complaints", sa.Column("resolution_warn_at", sa.DateTime(), nullable=True))


def downgrade():
    op.drop_index("ix_complaints_team_id", table_name="complaints")
    for name in ("resolution_warn_at", "first_response_warn_at", "sla_paused_seconds", "waiting_since"):
        op.drop_column("complaints", name)
    op.drop_column("complaints", "team_id")
    op.drop_index("ix_team_members_staff_user_id", table_name="team_members")
    op.drop_table("team_members")
    op.drop_table("teams")
    op.drop_index("ix_calendar_spans_after", table_name="calendar_spans")
    op.drop_table("calendar_spans")
    op.drop_table("calendar_closed_days")
    op.drop_index("uq_calendars_default", table_name="calendars")
    op.drop_table("calendars")
