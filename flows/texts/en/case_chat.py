"""A line about one case that cannot act on it as written (flows/cases/chat.py, flows/cases/ask.py)."""

TEXTS: dict[str, str] = {
    "case_chat.closed": "Case {id} is already closed: {outcome}. Write «status {id}» to see it.",
    "case_chat.no_option": "Case {id} has no open question for you. Write «status {id}» to see which step it is on.",
    "case_chat.held": "Step {number} of case {id} is held by {owner}: nothing changed. If it is yours to do, ask them to let it go («cant {id} {number}»).",
    "case_chat.unknown_step": "Case {id} has no active step {number}. Write «status {id}» to see which step it is on.",
}
