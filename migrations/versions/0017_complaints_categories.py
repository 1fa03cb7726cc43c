"""Complaints: intake categories (named in five languages, keyword rules for e-mail), custom
fields per category and their values, staff tags, and complaints.category_id (issue 17).

complaints.category_id is a plain ADD COLUMN without a foreign key (SQLite adds one only by
rebuilding the table, which would drop the count triggers); categories are never deleted.

Revision ID: 0017_complaints_categories
Revises: 0016_customers_transition_reason
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_complaints_categories"
down_revision = "0016_customers_transition_reason"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('name_pl', sa.String(length=200), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('name_ro', sa.String(length=200), nullable=False),
    sa.Column('name_cs', sa.String(length=200), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_categories_code'))
    )
    op.create_table('custom_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('choices', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('text', 'choice', 'date', 'number')", name=op.f('ck_custom_fields_kind')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_custom_fields_category_id_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_fields')),
    sa.UniqueConstraint('category_id', 'code', name=op.f('uq_custom_fields_category_id'))
    )
    op.create_table('complaint_tags',
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_tags_complaint_id_complaints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('complaint_id', 'tag', name=op.f('pk_complaint_tags'))
    )
    op.create_index('ix_complaint_tags_tag', 'complaint_tags', ['tag', 'complaint_id'], unique=False)
    op.create_table('complaint_field_values',
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_field_values_complaint_id_complaints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['field_id'], ['custom_fields.id'], name=op.f('fk_complaint_field_values_field_id_custom_fields'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('complaint_id', 'field_id', name=op.f('pk_complaint_field_values'))
    )
    op.create_index('ix_complaint_field_values_field', 'complaint_field_values', ['field_id', 'value'], unique=False)
    op.add_column("complaints", sa.Column("category_id", sa.Integer(), nullable=True))


def downgrade():
    op.drop_column("complaints", "category_id")
    op.drop_index('ix_complaint_field_values_field', table_name='complaint_field_values')
    op.drop_table('complaint_field_values')
    op.drop_index('ix_complaint_tags_tag', table_name='complaint_tags')
    op.drop_table('complaint_tags')
    op.drop_table('custom_fields')
    op.drop_table('categories')
