"""A case question's options (an `ask` step) on every transport (flows/buttons.py)."""

TEXTS: dict[str, str] = {
    "options.reply": "Answer with the number of your option:",
    "options.placeholder": "Choose an option",
    "options.list_button": "See options",  # WhatsApp list picker: at most 20 characters
    "options.sms_reply": "{text} Reply with the number: {options}",
}
