"""Proposals (议题): drafting, co-sponsoring, following and the lifecycle state machine."""
