"""results stored at close, turnout counters, the stored bulletin

Revision ID: 6d2a9c41e8b7
Revises: 5e2a9c1d7b40
Create Date: 2026-12-01 14:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6d2a9c41e8b7'
down_revision = '5e2a9c1d7b40'
branch_labels = None
depends_on = None

# The counters of polls already open or closed start from their voted marks.
COUNTERS_FROM_VOTED_MARKS = (
    "UPDATE polls SET "
    "voted_people = (SELECT COUNT(*) FROM roll_entries WHERE roll_entries.poll_id = "
    "polls.id AND roll_entries.voted_at IS NOT NULL), "
    "voted_area = (SELECT COALESCE(SUM(roll_entries.area), 0) FROM roll_entries WHERE "
    "roll_entries.poll_id = polls.id AND roll_entries.voted_at IS NOT NULL)")


def upgrade():
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voted_people', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('voted_area', sa.Numeric(precision=14, scale=2),
                                      server_default='0', nullable=False))
    op.execute(COUNTERS_FROM_VOTED_MARKS)
    op.create_table(
        'poll_results',
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('voted_people', sa.Integer(), nullable=False),
        sa.Column('voted_area', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('count', sa.JSON(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['poll_id'], ['polls.id'],
                                name=op.f('fk_poll_results_poll_id_polls')),
        sa.PrimaryKeyConstraint('poll_id', name=op.f('pk_poll_results')),
    )
    op.create_table(
        'bulletin_rows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('receipt', sa.String(length=20), nullable=False),
        sa.Column('rooms', sa.Text(), nullable=True),
        sa.Column('area', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['poll_id'], ['polls.id'],
                                name=op.f('fk_bulletin_rows_poll_id_polls')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin_rows')),
        sa.UniqueConstraint('poll_id', 'receipt', name=op.f('uq_bulletin_rows_poll_id_receipt')),
    )


def downgrade():
    op.drop_table('bulletin_rows')
    op.drop_table('poll_results')
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_column('voted_area')
        batch_op.drop_column('voted_people')
