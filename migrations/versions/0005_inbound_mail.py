"""E-mail in (issue 15): the messages received (raw bytes, outcome, complaint), the IMAP cursor
per folder, and the addresses a hard bounce proved undeliverable.

Revision ID: 0005_inbound_mail
Revises: 0004_complaints_priority_check
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_inbound_mail"
down_revision = "0004_complaints_priority_check"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mailbox_cursors',
    sa.Column('folder', sa.String(length=200), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=False),
    sa.Column('last_uid', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('folder', name=op.f('pk_mailbox_cursors'))
    )
    op.create_table('undeliverable_addresses',
    sa.Column('address_normalised', sa.String(length=254), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('address_normalised', name=op.f('pk_undeliverable_addresses'))
    )
    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_hash', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('from_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('raw', sa.LargeBinary(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_inbound_messages_complaint_id_complaints'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_users.id'], name=op.f('fk_inbound_messages_decided_by_id_staff_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['complaint_events.id'], name=op.f('fk_inbound_messages_event_id_complaint_events'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('dedupe_hash', name=op.f('uq_inbound_messages_dedupe_hash'))
    )
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_messages_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_messages_message_id'), ['message_id'], unique=False)
        batch_op.create_index('ix_inbound_messages_outcome', ['outcome', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_messages_outcome')
        batch_op.drop_index(batch_op.f('ix_inbound_messages_message_id'))
        batch_op.drop_index(batch_op.f('ix_inbound_messages_complaint_id'))

    op.drop_table('inbound_messages')
    op.drop_table('undeliverable_addresses')
    op.drop_table('mailbox_cursors')
