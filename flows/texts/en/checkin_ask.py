"""The check-in on a case question past its deadline (its numbers pick options, not «Still on it»)."""

TEXTS: dict[str, str] = {
    "checkin_ask.question": "⌛ Question {number} ({title}) is past its deadline: pick an option. If you can't yet, write «still {case} {number}».",
}
