"""Surveys: a public link (and QR code) per survey, optionally anonymous

Receipts and counters carry a link that anyone may open: a response then has no invitation and,
when anonymous (or the address matches no file), no customer; `respondent_key` (a hash of the
signed cookie's id) lets one browser answer once (issue 18).

Revision ID: 0022_surveys_public_link
Revises: 0021_complaints_workspace
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_surveys_public_link"
down_revision = "0021_complaints_workspace"
branch_labels = None
depends_on = None


# On SQLite, making a column nullable rebuilds the table, and dropping the old table deletes the
# rows that reference it ON DELETE CASCADE (answers, alerts): they are kept aside and put back.
_DEPENDENTS = ("survey_answers", "survey_alerts")


def _rebuild_responses(change) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for table in _DEPENDENTS:
            op.execute(f"CREATE TEMPORARY TABLE keep_{table} AS SELECT * FROM {table}")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        change(batch_op)
    if sqlite:
        for table in _DEPENDENTS:
            op.execute(f"DELETE FROM {table}")
            op.execute(f"INSERT INTO {table} SELECT * FROM keep_{table}")
            op.execute(f"DROP TABLE keep_{table}")


def upgrade():
    # surveys: plain ADD COLUMN and a unique index (no rebuild: its questions cascade from it).
    op.add_column("surveys", sa.Column("public_token", sa.String(length=32), nullable=True))
    op.add_column("surveys", sa.Column("public_anonymous", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("uq_surveys_public_token", "surveys", ["public_token"], unique=True)

    def change(batch_op):
        batch_op.alter_column("invitation_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("customer_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("channel", sa.String(length=10), nullable=False, server_default="email"))
        batch_op.add_column(sa.Column("respondent_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_survey_responses_respondent", ["survey_id", "respondent_key"])
    _rebuild_responses(change)


def downgrade():
    op.execute("DELETE FROM survey_responses WHERE invitation_id IS NULL OR customer_id IS NULL")

    def change(batch_op):
        batch_op.drop_constraint("uq_survey_responses_respondent", type_="unique")
        batch_op.drop_column("respondent_key")
        batch_op.drop_column("channel")
        batch_op.alter_column("customer_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("invitation_id", existing_type=sa.Integer(), nullable=False)
    _rebuild_responses(change)
    op.drop_index("uq_surveys_public_token", table_name="surveys")
    op.drop_column("surveys", "public_anonymous")
    op.drop_column("surveys", "public_token")
