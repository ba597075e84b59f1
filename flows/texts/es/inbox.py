"""Spanish texts of the inbox (bot/inbox.py): a command kept while the database cannot take it."""

TEXTS: dict[str, str] = {
    "inbox.received": "📥 Recibido. Lo estoy registrando; en cuanto quede anotado te llega la confirmación.",
    "inbox.not_taken": (
        "⚠️ No pude registrar «{what}» (de las {at}): el sistema no estuvo disponible y no quedó anotado. "
        "Por favor, vuelve a intentarlo."
    ),
}
