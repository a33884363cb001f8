"""Insights: participation, proposals, answers and early warnings, as figures and charts."""
