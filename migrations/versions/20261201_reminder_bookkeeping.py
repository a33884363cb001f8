"""reminder bookkeeping of polls: the last manual reminder and the automatic ones sent

Revision ID: 5e2a9c1d7b40
Revises: 5c1d8a2e9f47
Create Date: 2026-12-01 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e2a9c1d7b40'
down_revision = '5c1d8a2e9f47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminded_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closing_reminder_days', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_column('closing_reminder_days')
        batch_op.drop_column('reminded_count')
        batch_op.drop_column('reminded_at')
