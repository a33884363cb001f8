"""matters of owners' decisions, service of notice, deemed consent from the rules

Revision ID: b7c41d2e9a53
Revises: 7fcfd20813ff
Create Date: 2026-12-01 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c41d2e9a53'
down_revision = '7fcfd20813ff'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_days', sa.Integer(), nullable=False, server_default='15'))
        batch_op.add_column(sa.Column('public_posting_serves', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('deemed_consent_article', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('deemed_consent_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('deemed_consent_side', sa.String(length=10), nullable=False, server_default=''))

    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('matter', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deemed_consent_text', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('deemed_consent_side', sa.String(length=10), nullable=False, server_default=''))

    # Polls created before the clause moved to the community named only the clause: they
    # counted with deemed consent following the majority.
    op.execute("UPDATE polls SET deemed_consent_side = 'majority' WHERE deemed_consent_clause <> ''")

    with op.batch_alter_table('roll_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('served_via', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('served_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('served_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_roll_entries_served_by_id_users'), 'users', ['served_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('roll_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_roll_entries_served_by_id_users'), type_='foreignkey')
        batch_op.drop_column('served_by_id')
        batch_op.drop_column('served_at')
        batch_op.drop_column('served_via')

    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_column('deemed_consent_side')
        batch_op.drop_column('deemed_consent_text')
        batch_op.drop_column('matter')

    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_column('deemed_consent_side')
        batch_op.drop_column('deemed_consent_text')
        batch_op.drop_column('deemed_consent_article')
        batch_op.drop_column('public_posting_serves')
        batch_op.drop_column('notice_days')
