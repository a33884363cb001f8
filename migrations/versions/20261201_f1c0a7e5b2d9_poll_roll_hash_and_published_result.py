"""poll roll hash and published result

Revision ID: f1c0a7e5b2d9
Revises: 3026e7b9a0f4
Create Date: 2026-12-01 11:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1c0a7e5b2d9'
down_revision = '3026e7b9a0f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roll_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('published_result', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_column('published_result')
        batch_op.drop_column('roll_hash')
