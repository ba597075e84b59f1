"""The terminal as a drill tool: simulated time kept with the crisis (issue 11, point 11)."""

TEXTS: dict[str, str] = {
    "drill.continues": "Continuing crisis {id} (declared {declared}).",
    "drill.continues_simulated": "Continuing crisis {id} (declared {declared}, simulated time {now}).",
    "drill.kept": "🕒 Crisis {id} now runs on simulated time: the next session continues from here.",
    "drill.interrupted": "Interrupted. What was recorded is saved; what was still to be shown comes out in the next session.",
}
