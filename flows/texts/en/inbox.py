"""English texts of the inbox (bot/inbox.py): a command kept while the database cannot take it."""

TEXTS: dict[str, str] = {
    "inbox.received": "📥 Received. I am recording it; you will get the confirmation as soon as it is in.",
    "inbox.not_taken": (
        "⚠️ I could not record «{what}» (from {at}): the system was unavailable and it was not taken. "
        "Please try again."
    ),
}
