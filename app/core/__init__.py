"""Pieces shared by every feature: documents, uploads, labels helpers, rendering, signals.
This package imports no feature package (tests/test_structure.py checks it)."""
