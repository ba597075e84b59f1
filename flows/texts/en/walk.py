"""`crisisbot recorrer`: every path of a case playbook from its start to an end (flows/walk.py)."""

TEXTS: dict[str, str] = {
    "walk.header": "{name} ({id}): paths from step {start} to an end",
    "walk.step": "step {number}",
    "walk.end": "end: {outcome}",
    "walk.count_one": "1 path.",
    "walk.count_many": "{n} paths.",
    "walk.capped": "Showing the first {n} paths; there are more (each loop is taken at most once).",
    "walk.more": "{first} and {n} more options",
    "walk.none": "No path reaches an end.",
    "walk.not_case": "{id} is not a case playbook (kind: case): it has no paths to walk.",
    "walk.not_found": "No playbook «{wanted}» (neither a file nor an id). Loaded playbooks: {known}.",
}
