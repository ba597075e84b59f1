"""Confirmations before what cannot be undone, the crisis description (issue 11, points 1, 2, 4)."""

TEXTS: dict[str, str] = {
}
