"""Initial schema: tenants, people, periods, competencies and goals.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('organizations',
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('length(slug) BETWEEN 2 AND 63', name=op.f('ck_organizations_slug_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organizations_slug'))
    )
    op.create_table('users',
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('subject', name=op.f('uq_users_subject'))
    )
    op.create_table('competencies',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('ideal_actions', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_competencies_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_competencies'))
    )
    with op.batch_alter_table('competencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competencies_organization_id'), ['organization_id'], unique=False)

    op.create_table('evaluation_periods',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'ACTIVE', 'CLOSED', name='period_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_evaluation_periods_dates_ordered')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_evaluation_periods_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_periods')),
    sa.UniqueConstraint('id', 'organization_id', name=op.f('uq_evaluation_periods_id_organization_id'))
    )
    with op.batch_alter_table('evaluation_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_periods_organization_id'), ['organization_id'], unique=False)

    op.create_table('memberships',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.Enum('EMPLOYEE', 'SUPERVISOR', 'ADMIN', name='role', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_memberships_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships')),
    sa.UniqueConstraint('user_id', 'organization_id', name=op.f('uq_memberships_user_id_organization_id'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_organization_id'), ['organization_id'], unique=False)

    op.create_table('goals',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('category', sa.Enum('PERFORMANCE', 'COMPETENCY', 'CORE_VALUE', name='goal_category', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('weight', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', name='goal_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('goal_type', sa.Enum('QUANTITATIVE', 'QUALITATIVE', name='goal_type', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('specific_goal', sa.Text(), nullable=True),
    sa.Column('achievement_criteria', sa.Text(), nullable=True),
    sa.Column('means_methods', sa.Text(), nullable=True),
    sa.Column('competency_ids', sa.JSON(), nullable=True),
    sa.Column('selected_ideal_actions', sa.JSON(), nullable=True),
    sa.Column('action_plan', sa.Text(), nullable=True),
    sa.Column('core_value_plan', sa.Text(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint('length(client_id) BETWEEN 1 AND 64', name=op.f('ck_goals_client_id_length')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_goals_version_positive')),
    sa.CheckConstraint('weight >= 0 AND weight <= 100', name=op.f('ck_goals_weight_range')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_goals_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_goals_owner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id', 'organization_id'], ['evaluation_periods.id', 'evaluation_periods.organization_id'], name=op.f('fk_goals_period_id_organization_id_evaluation_periods'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals')),
    sa.UniqueConstraint('owner_id', 'period_id', 'client_id', name=op.f('uq_goals_owner_id_period_id_client_id'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index('ix_goals_owner_period', ['owner_id', 'period_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index('ix_goals_owner_period')

    op.drop_table('goals')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_organization_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('evaluation_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_periods_organization_id'))

    op.drop_table('evaluation_periods')
    with op.batch_alter_table('competencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competencies_organization_id'))

    op.drop_table('competencies')
    op.drop_table('users')
    op.drop_table('organizations')
