"""The closing message, the report, credit and the managers' CSV (issue 11, points 6, 7, 10, 12)."""

TEXTS: dict[str, str] = {
}
