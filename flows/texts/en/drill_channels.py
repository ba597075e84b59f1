"""Drills in every channel: WhatsApp templates, Slack redraws, SMS, the dashboard (issue 14 point 2)."""

TEXTS: dict[str, str] = {
    # WhatsApp: the sample of the drill templates' first variable (Meta's review reads it)
    "whatsapp.drill.sample": "Drill started by Jaime at 09:00: a rehearsal.",
    "whatsapp.drill.doctor_unset": "WhatsApp: the drill templates are missing ({settings}): outside the 24-hour window a drill goes out with the normal templates, «🧪 DRILL · » at the start of their first line",
    # SMS: GSM-7 only (an emoji would make it UCS-2, 70 characters a segment instead of 160)
    "sms.drill_message": "DRILL crisisbot: {text}",
    # the dashboard
    "web.drill_phase": "🧪 DRILL · {phase}",
    "web.banner_would": "The public banner would have shown: «{text}» (drill: not published)",
}
