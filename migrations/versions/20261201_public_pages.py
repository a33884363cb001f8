"""public pages: what a community shows strangers, notices marked public, API tokens

Revision ID: 9e3b7a51c0d4
Revises: 6d2a9c41e8b7
Create Date: 2026-12-01 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9e3b7a51c0d4'
down_revision = '6d2a9c41e8b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_result_notices', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('public_minutes', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('public_notices', sa.Boolean(), nullable=False, server_default=sa.true()))

    # Existing notices stay within their community: only a notice marked public from now on
    # is shown to strangers.
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table('api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('resources', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_api_tokens_organisation_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_organisation_id'))
    op.drop_table('api_tokens')

    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('public')

    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_column('public_notices')
        batch_op.drop_column('public_minutes')
        batch_op.drop_column('public_result_notices')
