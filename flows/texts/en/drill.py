"""The terminal as a drill tool: simulated time kept with the crisis (issue 11, point 11)."""

TEXTS: dict[str, str] = {
}
