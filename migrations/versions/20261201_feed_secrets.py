"""feed secrets: the keyed hashes of the secret addresses of people's calendars and feeds

Revision ID: 3f8c2d6a1b90
Revises: 9e3b7a51c0d4
Create Date: 2026-12-01 16:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f8c2d6a1b90'
down_revision = '9e3b7a51c0d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feed_secrets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_secrets_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_secrets')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_feed_secrets_secret_hash'))
    )
    with op.batch_alter_table('feed_secrets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_secrets_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_feed_secrets_live_user', ['user_id'], unique=True,
                              sqlite_where=sa.text('revoked_at IS NULL'),
                              postgresql_where=sa.text('revoked_at IS NULL'))


def downgrade():
    with op.batch_alter_table('feed_secrets', schema=None) as batch_op:
        batch_op.drop_index('uq_feed_secrets_live_user')
        batch_op.drop_index(batch_op.f('ix_feed_secrets_user_id'))
    op.drop_table('feed_secrets')
