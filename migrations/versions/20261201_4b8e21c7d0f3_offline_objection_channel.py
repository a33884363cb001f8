"""offline objection channel of a community

Revision ID: 4b8e21c7d0f3
Revises: b7c41d2e9a53
Create Date: 2026-12-01 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b8e21c7d0f3'
down_revision = 'b7c41d2e9a53'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objection_place', sa.String(length=200),
                                      server_default='', nullable=False))
        batch_op.add_column(sa.Column('objection_phone', sa.String(length=30),
                                      server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_column('objection_phone')
        batch_op.drop_column('objection_place')
