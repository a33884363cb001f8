"""public pages: what a community shows strangers, and notices marked public

Revision ID: 9e3b7a51c0d4
Revises: 5c1d8a2e9f47
Create Date: 2026-12-01 14:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9e3b7a51c0d4'
down_revision = '5c1d8a2e9f47'
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


def downgrade():
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('public')

    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_column('public_notices')
        batch_op.drop_column('public_minutes')
        batch_op.drop_column('public_result_notices')
