"""Who a proposal or a notice concerns: the whole community, some grids or some buildings."""

import enum


class ScopeKind(enum.StrEnum):
    COMMUNITY = "community"
    GRIDS = "grids"
    BUILDINGS = "buildings"
