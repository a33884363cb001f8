"""Voting (表决): polls, rolls, ballots and the counting rules."""
