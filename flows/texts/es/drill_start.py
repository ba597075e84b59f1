"""Starting drills: /crisis simulacro, crisisbot simulacro, drills announced ahead or kept as a surprise (issue 14 point 1)."""

TEXTS: dict[str, str] = {
}
