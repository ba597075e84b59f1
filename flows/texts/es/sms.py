"""Spanish texts of the SMS channel (written in the GSM-7 alphabet: no «á í ó ú», no emoji)."""

TEXTS: dict[str, str] = {
    "sms.message": "crisisbot: {text}",
    "sms.reply": "{text} Responde {words}.",
    "sms.word.claim": "TOMO {n}",
    "sms.word.done": "HECHO {n}",
    "sms.word.cantdo": "NO PUEDO {n}",
    "sms.word.ack": "LEIDO {n}",
    "sms.word.still": "SIGO {n}",
}
