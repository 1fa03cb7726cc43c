"""Surveys: branching (survey_questions.show_if) and acknowledged alerts (survey_alerts.acknowledged_*)

A question may be shown only for a range of an earlier answer (issue 18, "what went wrong?" for
scores ≤ 6); an alert can be acknowledged by the person who will close the loop before it is closed.

Revision ID: 0012_surveys_loop_branching
Revises: 0011_contact_confirmed
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_surveys_loop_branching"
down_revision = "0011_contact_confirmed"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("survey_questions", sa.Column("show_if", sa.JSON(), nullable=True))
    with op.batch_alter_table("survey_alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acknowledged_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_survey_alerts_acknowledged_by_id_staff_users"), "staff_users",
                                    ["acknowledged_by_id"], ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("survey_alerts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_survey_alerts_acknowledged_by_id_staff_users"), type_="foreignkey")
        batch_op.drop_column("acknowledged_by_id")
        batch_op.drop_column("acknowledged_at")
    op.drop_column("survey_questions", "show_if")
