"""party members' standing (预备党员) and approved leave, for the branch's vote and quorum

Revision ID: 7fcfd20813ff
Revises: 5ec7e7ba1107
Create Date: 2026-12-01 11:35:08.580366

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7fcfd20813ff'
down_revision = '5ec7e7ba1107'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party_status', sa.String(length=20), server_default='full', nullable=False))
        batch_op.add_column(sa.Column('on_leave_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('leave_reason', sa.String(length=200), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('leave_reason')
        batch_op.drop_column('on_leave_until')
        batch_op.drop_column('party_status')

