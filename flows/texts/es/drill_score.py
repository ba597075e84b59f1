"""The score of a drill, its report and its place apart from real crises (issue 14 point 4)."""

TEXTS: dict[str, str] = {
}
