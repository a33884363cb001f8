"""secret ballots kept apart from their voters; paper numbers and proxy holders on the roll

The ballot row keeps its receipt and choices only; who voted, how, with which paper or
proxy, moves to the roll entry, whose sealed ``ballot_seal`` is the only link to the ballot.
The seal needs the app's ballot key, so this revision runs inside the app (``flask db
upgrade``). Duplicate paper numbers of one poll, which the old schema let in, keep the first
and get the entry's key appended; free-text proxy holder names go into the reference.

Revision ID: 5ec7e7ba1107
Revises: cf4b3b139a76
Create Date: 2026-12-01 11:40:00

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app

from app.extensions import UTCDateTime
from app.voting.sealing import derive_key, seal, unseal

# revision identifiers, used by Alembic.
revision = '5ec7e7ba1107'
down_revision = 'cf4b3b139a76'
branch_labels = None
depends_on = None


def _key() -> bytes:
    return derive_key(current_app.config.get("BALLOT_KEY") or current_app.config["SECRET_KEY"])


def _hour(moment):
    return moment.replace(minute=0, second=0, microsecond=0) if moment is not None else None


def _columns(*names):
    """Light table columns; the times typed as the models type them (aware UTC)."""
    return (sa.column(name, UTCDateTime()) if name in {'cast_at', 'voted_at'}
            else sa.column(name) for name in names)


def upgrade():
    with op.batch_alter_table('roll_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('voted_channel', sa.String(length=10), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('voted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paper_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('reference', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('proxy_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('proxy_id_number', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('ballot_seal', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_roll_entries_voted_by_id_users'), 'users',
                                    ['voted_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_roll_entries_entered_by_id_users'), 'users',
                                    ['entered_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_roll_entries_proxy_user_id_users'), 'users',
                                    ['proxy_user_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_roll_entries_proxy_user_id'), ['proxy_user_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_roll_entries_proxy_id_number'),
                              ['proxy_id_number'], unique=False)

    connection = op.get_bind()
    key = _key()
    ballots = sa.table('ballots', *_columns(
        'id', 'poll_id', 'roll_entry_id', 'channel', 'cast_by_id', 'entered_by_id',
        'paper_number', 'reference', 'proxy_holder', 'cast_at'))
    entries = sa.table('roll_entries', *_columns(
        'id', 'key', 'voted_at', 'voted_channel', 'voted_by_id', 'entered_by_id',
        'paper_number', 'reference', 'proxy_user_id', 'ballot_seal'))
    taken = set()
    rows = connection.execute(
        sa.select(ballots, entries.c.key).join(entries, entries.c.id == ballots.c.roll_entry_id)
        .order_by(ballots.c.id)).all()
    for row in rows:
        number = row.paper_number or None
        if number is not None:
            if (row.poll_id, number) in taken:
                number = f"{number}#{row.key}"[:40]
            taken.add((row.poll_id, number))
        reference = row.reference
        if row.proxy_holder:
            reference = f"{reference}（受托人：{row.proxy_holder}）"[:200]
        connection.execute(entries.update().where(entries.c.id == row.roll_entry_id).values(
            voted_at=_hour(row.cast_at), voted_channel=row.channel,
            voted_by_id=row.cast_by_id, entered_by_id=row.entered_by_id,
            paper_number=number, reference=reference,
            ballot_seal=seal(key, row.poll_id, row.roll_entry_id, row.id)))

    with op.batch_alter_table('roll_entries', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_roll_entries_poll_id_paper_number'),
                                          ['poll_id', 'paper_number'])

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ballots_poll_id_roll_entry_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_ballots_roll_entry_id_roll_entries'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ballots_cast_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ballots_entered_by_id_users'),
                                 type_='foreignkey')
        for column in ('roll_entry_id', 'channel', 'cast_by_id', 'entered_by_id',
                       'paper_number', 'reference', 'proxy_holder', 'cast_at', 'changed_at'):
            batch_op.drop_column(column)


def downgrade():
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roll_entry_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=10), nullable=False,
                                      server_default='online'))
        batch_op.add_column(sa.Column('cast_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('paper_number', sa.String(length=40), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('reference', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('proxy_holder', sa.String(length=100), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('cast_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True))

    connection = op.get_bind()
    key = _key()
    ballots = sa.table('ballots', *_columns(
        'id', 'roll_entry_id', 'channel', 'cast_by_id', 'entered_by_id', 'paper_number',
        'reference', 'cast_at'))
    entries = sa.table('roll_entries', *_columns(
        'id', 'poll_id', 'voted_at', 'voted_channel', 'voted_by_id', 'entered_by_id',
        'paper_number', 'reference', 'ballot_seal'))
    for row in connection.execute(sa.select(entries).where(
            entries.c.ballot_seal.is_not(None))).all():
        connection.execute(ballots.update().where(
            ballots.c.id == unseal(key, row.poll_id, row.id, row.ballot_seal)).values(
            roll_entry_id=row.id, channel=row.voted_channel, cast_by_id=row.voted_by_id,
            entered_by_id=row.entered_by_id, paper_number=row.paper_number or '',
            reference=row.reference, cast_at=row.voted_at))

    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_ballots_roll_entry_id_roll_entries'),
                                    'roll_entries', ['roll_entry_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ballots_cast_by_id_users'), 'users',
                                    ['cast_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ballots_entered_by_id_users'), 'users',
                                    ['entered_by_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_ballots_poll_id_roll_entry_id'),
                                          ['poll_id', 'roll_entry_id'])

    with op.batch_alter_table('roll_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_roll_entries_poll_id_paper_number'),
                                 type_='unique')
        batch_op.drop_index(batch_op.f('ix_roll_entries_proxy_id_number'))
        batch_op.drop_index(batch_op.f('ix_roll_entries_proxy_user_id'))
        batch_op.drop_constraint(batch_op.f('fk_roll_entries_proxy_user_id_users'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_roll_entries_entered_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_roll_entries_voted_by_id_users'),
                                 type_='foreignkey')
        for column in ('ballot_seal', 'proxy_id_number', 'proxy_user_id', 'reference',
                       'paper_number', 'entered_by_id', 'voted_by_id', 'voted_channel',
                       'voted_at'):
            batch_op.drop_column(column)
