"""Values a task records, corrections, keywords and help (issue 11, points 8, 9, 10)."""

TEXTS: dict[str, str] = {
}
