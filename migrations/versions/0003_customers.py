"""Customer file: scores, segments, transitions, interactions, greetings, tasks (issue 3)

Revision ID: 0003_customers
Revises: 0002_reference_data
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_customers"
down_revision = "0002_reference_data"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('segment_priority_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment_priority_rules')),
    sa.UniqueConstraint('dimension', 'value', name=op.f('uq_segment_priority_rules_dimension'))
    )
    op.create_table('customer_greetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('occasion', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_greetings_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_greetings')),
    sa.UniqueConstraint('customer_id', 'occasion', 'year', name=op.f('uq_customer_greetings_customer_id'))
    )
    op.create_table('customer_interactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_interactions_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], name=op.f('fk_customer_interactions_staff_user_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_interactions'))
    )
    op.create_index('ix_customer_interactions_customer', 'customer_interactions', ['customer_id', 'occurred_at'], unique=False)
    op.create_index('ix_customer_interactions_occurred', 'customer_interactions', ['occurred_at'], unique=False)
    op.create_table('customer_scores',
    sa.Column('customer_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('revenue_12m', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('revenue_q', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('revenue_prev_q', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('orders_12m', sa.Integer(), nullable=False),
    sa.Column('orders_total', sa.Integer(), nullable=False),
    sa.Column('first_order_on', sa.Date(), nullable=True),
    sa.Column('last_order_on', sa.Date(), nullable=True),
    sa.Column('late_payments_12m', sa.Integer(), nullable=False),
    sa.Column('overdue_amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('complaints_12m', sa.Integer(), nullable=False),
    sa.Column('complaints_q', sa.Integer(), nullable=False),
    sa.Column('top_root_cause_id', sa.Integer(), nullable=True),
    sa.Column('nps_last', sa.Integer(), nullable=True),
    sa.Column('nps_prev', sa.Integer(), nullable=True),
    sa.Column('pareto_share', sa.Float(), nullable=True),
    sa.Column('satisfaction', sa.Float(), nullable=True),
    sa.Column('loyalty', sa.Float(), nullable=True),
    sa.Column('abc', sa.String(length=1), nullable=False),
    sa.Column('category', sa.String(length=12), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customer_scores'))
    )
    op.create_index('ix_customer_scores_segments', 'customer_scores', ['abc', 'category', 'stage'], unique=False)
    op.create_table('customer_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_tasks_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['staff_users.id'], name=op.f('fk_customer_tasks_owner_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_tasks'))
    )
    op.create_index(op.f('ix_customer_tasks_customer_id'), 'customer_tasks', ['customer_id'], unique=False)
    op.create_index('ix_customer_tasks_owner', 'customer_tasks', ['owner_id', 'done_at', 'due_on'], unique=False)
    op.create_table('segment_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=10), nullable=False),
    sa.Column('from_value', sa.String(length=16), nullable=False),
    sa.Column('to_value', sa.String(length=16), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('revenue_q', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('revenue_prev_q', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('complaints_q', sa.Integer(), nullable=True),
    sa.Column('top_root_cause_id', sa.Integer(), nullable=True),
    sa.Column('nps_before', sa.Integer(), nullable=True),
    sa.Column('nps_after', sa.Integer(), nullable=True),
    sa.Column('late_payments_12m', sa.Integer(), nullable=True),
    sa.Column('overdue_amount', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('last_order_on', sa.Date(), nullable=True),
    sa.Column('satisfaction_before', sa.Float(), nullable=True),
    sa.Column('satisfaction_after', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_segment_transitions_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment_transitions'))
    )
    op.create_index('ix_segment_transitions_changed', 'segment_transitions', ['changed_at', 'id'], unique=False)
    op.create_index('ix_segment_transitions_customer', 'segment_transitions', ['customer_id', 'changed_at'], unique=False)
    # Starting service rules (seed 001: devoted customers first; seed 000: A customers get the most time).
    rules = sa.table("segment_priority_rules", sa.column("dimension"), sa.column("value"), sa.column("priority"),
                     sa.column("position"))
    op.bulk_insert(rules, [
        {"dimension": "category", "value": "devoted", "priority": "high", "position": 10},
        {"dimension": "abc", "value": "A", "priority": "high", "position": 20},
    ])


def downgrade():
    op.drop_table('segment_transitions')
    op.drop_table('customer_tasks')
    op.drop_table('customer_scores')
    op.drop_table('customer_interactions')
    op.drop_table('customer_greetings')
    op.drop_table('segment_priority_rules')
