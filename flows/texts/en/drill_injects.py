"""Injects: events scripted into a drill at set times (issue 14 point 3)."""

TEXTS: dict[str, str] = {
}
