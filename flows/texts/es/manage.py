"""Acting from the dashboard: assign, not needed, notes, corrections (issue 11, point 13)."""

TEXTS: dict[str, str] = {
}
