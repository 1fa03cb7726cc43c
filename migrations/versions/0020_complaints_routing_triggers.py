"""Complaints: routing rules (conditions → team and owner, applied at filing) and trigger rules
(conditions → set priority, add a tag, assign, notify; each acts once per complaint, recorded in
trigger_firings) — issue 17.

Revision ID: 0020_complaints_routing_triggers
Revises: 0019_complaints_call_tasks
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_complaints_routing_triggers"
down_revision = "0019_complaints_call_tasks"
branch_labels = None
depends_on = None

# complaints.lifecycle / complaints.models when this was written (a migration does not follow later code).
PRIORITY = "IN ('urgent', 'high', 'normal', 'low')"
CHANNEL = "channel IN ('web', 'api', 'email', 'phone', 'visit', 'staff')"


def upgrade():
    op.create_table('routing_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=True),
    sa.Column('segment', sa.String(length=30), nullable=True),
    sa.Column('priority', sa.String(length=20), nullable=True),
    sa.Column('has_account_owner', sa.Boolean(), nullable=True),
    sa.Column('account_owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('assign', sa.String(length=20), nullable=False),
    sa.Column('last_owner_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("assign IN ('team', 'account_owner', 'round_robin', 'fewest_open')", name=op.f('ck_routing_rules_assign')),
    sa.CheckConstraint("priority " + PRIORITY, name=op.f('ck_routing_rules_priority')),
    sa.CheckConstraint(CHANNEL, name=op.f('ck_routing_rules_channel')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_routing_rules_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['account_owner_id'], ['staff_users.id'], name=op.f('fk_routing_rules_account_owner_id_staff_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_routing_rules_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['last_owner_id'], ['staff_users.id'], name=op.f('fk_routing_rules_last_owner_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_rules'))
    )
    op.create_table('trigger_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('on_filing', sa.Boolean(), nullable=False),
    sa.Column('on_change', sa.Boolean(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('priority', sa.String(length=20), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('tag', sa.String(length=50), nullable=True),
    sa.Column('text_contains', sa.String(length=100), nullable=True),
    sa.Column('set_priority', sa.String(length=20), nullable=True),
    sa.Column('add_tag', sa.String(length=50), nullable=True),
    sa.Column('assign_to_id', sa.Integer(), nullable=True),
    sa.Column('notify', sa.String(length=20), nullable=True),
    sa.CheckConstraint("priority " + PRIORITY, name=op.f('ck_trigger_rules_priority')),
    sa.CheckConstraint("set_priority " + PRIORITY, name=op.f('ck_trigger_rules_set_priority')),
    sa.CheckConstraint(CHANNEL, name=op.f('ck_trigger_rules_channel')),
    sa.CheckConstraint("status IN ('new', 'assigned', 'in_progress', 'waiting', 'resolved', 'closed')", name=op.f('ck_trigger_rules_status')),
    sa.CheckConstraint("notify IN ('owner', 'team_lead', 'managers')", name=op.f('ck_trigger_rules_notify')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_trigger_rules_category_id_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assign_to_id'], ['staff_users.id'], name=op.f('fk_trigger_rules_assign_to_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trigger_rules'))
    )
    op.create_table('trigger_firings',
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('fired_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['trigger_rules.id'], name=op.f('fk_trigger_firings_rule_id_trigger_rules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_trigger_firings_complaint_id_complaints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rule_id', 'complaint_id', name=op.f('pk_trigger_firings'))
    )
    op.create_index('ix_trigger_firings_complaint_id', 'trigger_firings', ['complaint_id'], unique=False)


def downgrade():
    op.drop_index('ix_trigger_firings_complaint_id', table_name='trigger_firings')
    op.drop_table('trigger_firings')
    op.drop_table('trigger_rules')
    op.drop_table('routing_rules')
