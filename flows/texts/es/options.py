"""A case question's options (an `ask` step) on every transport (flows/buttons.py)."""

TEXTS: dict[str, str] = {
    "options.reply": "Responde con el número de tu opción:",
    "options.placeholder": "Elige una opción",
    "options.list_button": "Ver opciones",  # WhatsApp list picker: at most 20 characters
    "options.sms_reply": "{text} Responde con el numero: {options}",
}
