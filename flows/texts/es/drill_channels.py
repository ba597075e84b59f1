"""Drills in every channel: WhatsApp templates, Slack redraws, SMS, the dashboard (issue 14 point 2)."""

TEXTS: dict[str, str] = {
    # WhatsApp: the sample of the drill templates' first variable (Meta's review reads it)
    "whatsapp.drill.sample": "Simulacro iniciado por Jaime a las 09:00: es un ensayo.",
    "whatsapp.drill.doctor_unset": "WhatsApp: faltan las plantillas de simulacro ({settings}): fuera de la ventana de 24 h un simulacro sale con las plantillas normales, «🧪 SIMULACRO · » al comienzo de su primera línea",
    # SMS: GSM-7 only (an emoji would make it UCS-2, 70 characters a segment instead of 160)
    "sms.drill_message": "SIMULACRO crisisbot: {text}",
    # the dashboard
    "web.drill_phase": "🧪 SIMULACRO · {phase}",
    "web.banner_would": "El banner público habría mostrado: «{text}» (simulacro: no se publica)",
}
