"""roll entry accounts: an index from a person to their roll entry

Revision ID: 3c8e1f0a9b27
Revises: 4b7e2d9a1c35
Create Date: 2026-12-01 17:00:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c8e1f0a9b27'
down_revision = '4b7e2d9a1c35'
branch_labels = None
depends_on = None

BACKFILL_BATCH = 5000


def _backfill(connection) -> None:
    """One row per account listed on each roll entry already frozen, read from the JSON list
    in batches (PostgreSQL and SQLite store the list as text alike)."""
    accounts = sa.table('roll_entry_accounts', sa.column('poll_id'), sa.column('user_id'),
                        sa.column('roll_entry_id'))
    rows = connection.execute(sa.text(
        "SELECT id, poll_id, user_ids FROM roll_entries ORDER BY id"))
    batch = []
    for entry_id, poll_id, user_ids in rows:
        listed = json.loads(user_ids) if isinstance(user_ids, str) else (user_ids or [])
        batch.extend(dict(poll_id=poll_id, user_id=user_id, roll_entry_id=entry_id)
                     for user_id in sorted(set(listed)))
        if len(batch) >= BACKFILL_BATCH:
            connection.execute(accounts.insert(), batch)
            batch = []
    if batch:
        connection.execute(accounts.insert(), batch)


def upgrade():
    op.create_table(
        'roll_entry_accounts',
        sa.Column('poll_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('roll_entry_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['poll_id'], ['polls.id'],
                                name=op.f('fk_roll_entry_accounts_poll_id_polls')),
        sa.ForeignKeyConstraint(['roll_entry_id'], ['roll_entries.id'],
                                name=op.f('fk_roll_entry_accounts_roll_entry_id_roll_entries')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_roll_entry_accounts_user_id_users')),
        sa.PrimaryKeyConstraint('poll_id', 'user_id', 'roll_entry_id',
                                name=op.f('pk_roll_entry_accounts')),
    )
    op.create_index('ix_roll_entry_accounts_user_id_poll_id', 'roll_entry_accounts',
                    ['user_id', 'poll_id'], unique=False)
    _backfill(op.get_bind())


def downgrade():
    op.drop_index('ix_roll_entry_accounts_user_id_poll_id', table_name='roll_entry_accounts')
    op.drop_table('roll_entry_accounts')
