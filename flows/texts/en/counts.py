"""Figures in a line of several («Total: 1 done · 2 overdue»), each in the right number:
read with `flows.texts.tn` (key + "_one" for 1, key + "_many" otherwise)."""

TEXTS: dict[str, str] = {
    "n.done_one": "{n} done",
    "n.done_many": "{n} done",
    "n.done_of_one": "{n} of {total} done",
    "n.done_of_many": "{n} of {total} done",
    "n.open_one": "{n} open",
    "n.open_many": "{n} open",
    "n.overdue_one": "{n} overdue",
    "n.overdue_many": "{n} overdue",
    "n.skipped_one": "{n} not needed",
    "n.skipped_many": "{n} not needed",
}
