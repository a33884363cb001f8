"""api updated_at: when each resource the API lists last changed, for updated_since

Revision ID: 4b8e2d6f1a37
Revises: 5c8e2f7a9b31
Create Date: 2026-12-01 16:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b8e2d6f1a37'
down_revision = '5c8e2f7a9b31'
branch_labels = None
depends_on = None

# Each table, and its latest timestamp known before this column existed.
BACKFILL = {
    'communities': 'created_at',
    'notices': 'COALESCE(withdrawn_at, created_at)',
    'polls': 'COALESCE(finalised_at, closed_at, opened_at, created_at)',
    'meetings': 'COALESCE(cancelled_at, created_at)',
    'follow_up_actions': 'COALESCE(done_at, created_at)',
}


def upgrade():
    for table, latest in BACKFILL.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        op.execute(f'UPDATE {table} SET updated_at = {latest}')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('updated_at', existing_type=sa.DateTime(timezone=True),
                                  nullable=False)


def downgrade():
    for table in reversed(BACKFILL):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('updated_at')
