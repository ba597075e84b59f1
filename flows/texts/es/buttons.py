"""Button numbers and which card an answer is for (issue 11, point 3)."""

TEXTS: dict[str, str] = {
}
