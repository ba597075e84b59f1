"""English texts of the SMS channel (written in the GSM-7 alphabet: no emoji)."""

TEXTS: dict[str, str] = {
    "sms.message": "crisisbot: {text}",
    "sms.reply": "{text} Reply {words}.",
    "sms.word.claim": "TAKE {n}",
    "sms.word.done": "DONE {n}",
    "sms.word.cantdo": "CANT {n}",
    "sms.word.ack": "READ {n}",
    "sms.word.still": "SIGO {n}",
}
