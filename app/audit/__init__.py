"""The hash-chained audit log of privileged actions."""
