"""The hash chain on its own: no app, no database."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.audit.chain import GENESIS_HASH, ChainEntry, compute_hash, find_break

START = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def build_chain(actions: list[str]) -> list[ChainEntry]:
    entries, prev = [], GENESIS_HASH
    for seq, action in enumerate(actions, start=1):
        fields = dict(seq=seq, created_at=START + timedelta(seconds=seq), actor_id=7,
                      action=action, community_id=1, target=f"user:{seq}",
                      details={"role": "staff", "面积": "89.50"}, prev_hash=prev)
        entry = ChainEntry(**fields, hash=compute_hash(**fields))
        entries.append(entry)
        prev = entry.hash
    return entries


def test_an_untouched_chain_holds():
    assert find_break(build_chain(["role.grant", "role.revoke", "roster.import"])) is None
    assert find_break([]) is None


def test_an_altered_entry_is_named():
    chain = build_chain(["a", "b", "c", "d"])
    chain[2] = replace(chain[2], details={"role": "chair", "面积": "89.50"})
    broken = find_break(chain)
    assert (broken.seq, broken.problem) == (3, "altered")


def test_a_removed_entry_is_named():
    chain = build_chain(["a", "b", "c", "d"])
    del chain[1]
    broken = find_break(chain)
    assert (broken.seq, broken.problem) == (3, "missing_before")


def test_an_inserted_entry_is_named_even_with_a_recomputed_hash():
    chain = build_chain(["a", "b", "c"])
    forged_fields = dict(seq=2, created_at=START, actor_id=1, action="role.grant",
                         community_id=1, target="user:1", details={}, prev_hash=chain[0].hash)
    forged = ChainEntry(**forged_fields, hash=compute_hash(**forged_fields))
    renumbered = [replace(e, seq=e.seq + 1) for e in chain[1:]]
    broken = find_break([chain[0], forged, *renumbered])
    assert broken.seq == 3  # the real entry after the forgery no longer links


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=12), st.data())
def test_changing_any_field_of_any_entry_breaks_the_chain_there(actions, data):
    chain = build_chain(actions)
    index = data.draw(st.integers(0, len(chain) - 1))
    field = data.draw(st.sampled_from(["actor_id", "action", "target", "details", "created_at"]))
    new_value = {
        "actor_id": chain[index].actor_id + 1,
        "action": chain[index].action + "!",
        "target": chain[index].target + "!",
        "details": {**chain[index].details, "extra": 1},
        "created_at": chain[index].created_at + timedelta(microseconds=1),
    }[field]
    chain[index] = replace(chain[index], **{field: new_value})
    assert find_break(chain).seq == index + 1
