"""Communities, grids, buildings and units; rosters; organisations and roles; verification."""
