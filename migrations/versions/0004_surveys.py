"""Surveys, invitations, answers, follow-up alerts (issue 7) + the two default surveys as data

Revision ID: 0004_surveys
Revises: 0003_customers
"""
import sqlalchemy as sa
from alembic import op

from surveys import defaults

revision = "0004_surveys"
down_revision = "0003_customers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('intro', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
    sa.UniqueConstraint('code', name=op.f('uq_surveys_code'))
    )
    op.create_table('survey_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('qtype', sa.String(length=10), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_questions_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_questions')),
    sa.UniqueConstraint('survey_id', 'position', name='uq_survey_questions_position')
    )
    op.create_table('survey_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=120), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('period', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.String(length=200), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('token_nonce', sa.String(length=64), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('first_clicked_at', sa.DateTime(), nullable=True),
    sa.Column('click_count', sa.Integer(), nullable=False),
    sa.Column('reminder_due_at', sa.DateTime(), nullable=True),
    sa.Column('reminder_sent_at', sa.DateTime(), nullable=True),
    sa.Column('reminder_note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_survey_invitations_complaint_id_complaints'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_survey_invitations_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_invitations_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_survey_invitations_dedupe_key')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitations_token_hash'))
    )
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitations_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index('ix_survey_invitations_customer', ['customer_id', 'kind', 'period'], unique=False)
        batch_op.create_index('ix_survey_invitations_due', ['status', 'due_at'], unique=False)
        batch_op.create_index('ix_survey_invitations_reminder', ['status', 'reminder_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitations_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_survey_responses_complaint_id_complaints'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_survey_responses_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitations.id'], name=op.f('fk_survey_responses_invitation_id_survey_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_responses_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_survey_responses_invitation_id'))
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_responses_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_responses_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index('ix_survey_responses_updated', ['updated_at', 'id'], unique=False)

    op.create_table('survey_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['staff_users.id'], name=op.f('fk_survey_alerts_closed_by_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_survey_alerts_complaint_id_complaints'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_survey_alerts_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['staff_users.id'], name=op.f('fk_survey_alerts_owner_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_alerts_response_id_survey_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_alerts')),
    sa.UniqueConstraint('response_id', name=op.f('uq_survey_alerts_response_id'))
    )
    with op.batch_alter_table('survey_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_alerts_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_alerts_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_survey_alerts_status', ['status', 'created_at'], unique=False)

    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('qtype', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('choice', sa.String(length=100), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['survey_questions.id'], name=op.f('fk_survey_answers_question_id_survey_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_answers_response_id_survey_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('response_id', 'question_id', name='uq_survey_answers_question')
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index('ix_survey_answers_question_score', ['question_id', 'score'], unique=False)

    defaults.install(op.get_bind())


def downgrade():
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_answers_question_score')

    op.drop_table('survey_answers')
    with op.batch_alter_table('survey_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_alerts_status')
        batch_op.drop_index(batch_op.f('ix_survey_alerts_owner_id'))
        batch_op.drop_index(batch_op.f('ix_survey_alerts_complaint_id'))

    op.drop_table('survey_alerts')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_responses_updated')
        batch_op.drop_index(batch_op.f('ix_survey_responses_survey_id'))
        batch_op.drop_index(batch_op.f('ix_survey_responses_customer_id'))
        batch_op.drop_index(batch_op.f('ix_survey_responses_complaint_id'))

    op.drop_table('survey_responses')
    with op.batch_alter_table('survey_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_invitations_survey_id'))
        batch_op.drop_index('ix_survey_invitations_reminder')
        batch_op.drop_index('ix_survey_invitations_due')
        batch_op.drop_index('ix_survey_invitations_customer')
        batch_op.drop_index(batch_op.f('ix_survey_invitations_complaint_id'))

    op.drop_table('survey_invitations')
    op.drop_table('survey_questions')
    op.drop_table('surveys')
