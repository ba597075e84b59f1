"""Spanish texts of «sin contacto»: people the bot cannot reach (flows/contact.py,
flows/unreachable.py) and each person's delivery state (estado, the dashboard)."""

TEXTS: dict[str, str] = {
    # to the coordinators, once per person and loss
    "contact.lost": "⚠️ No consigo contactar a {name} ({why}). Avísale por otra vía.",
    "contact.lost_phone": "⚠️ No consigo contactar a {name} ({why}). Avísale por otra vía (teléfono {phone}).",
    "contact.why_failed": "{via}: {detail}",
    "contact.why_pending": "{via}: sin entregar hace {minutes} min",
    "contact.why_none": "sin {via}",
    "contact.why_no_channel": "ningún canal llega a esta persona",
    "contact.failed": "falló",
    "contact.via.whatsapp": "WhatsApp",
    "contact.via.slack": "Slack",
    "contact.via.sms": "SMS",
    "contact.via.terminal": "terminal",
    "contact.via.test": "chat",
    "contact.how_wrote": "escribió al bot",
    "contact.how_delivered": "mensaje entregado por {via}",
    # estado
    "contact.line": "📬 Contacto: {parts}",
    "contact.line_received": "{n} recibieron",
    "contact.line_read": "{n} leyeron",
    "contact.line_pending": "{n} pendientes",
    "contact.line_lost": "⚠️ sin contacto: {names}",
    "contact.next_remind": "próximo aviso {at}",
    "contact.next_escalate": "escala {at}",
    # states (estado, dashboard)
    "contact.state.none": "sin mensajes",
    "contact.state.pending": "pendiente",
    "contact.state.delivered": "entregado",
    "contact.state.read": "leído",
    "contact.state.failed": "falló; se reintenta por otra vía",
    "contact.state.lost": "⚠️ SIN CONTACTO",
    # bitácora
    "log.contact_lost": "Sin contacto con {who} ({why}); avisado a: {told}",
    "log.contact_restored": "{who} vuelve a estar en contacto ({how})",
    # the dashboard's table
    "contact.web.title": "Contacto por persona",
    "contact.web.person": "Persona",
    "contact.web.channel": "Canal",
    "contact.web.state": "Estado",
    "contact.web.delivered": "Última entrega",
    "contact.web.read": "Leído",
    "contact.web.next": "Próximo aviso o escalamiento",
    "contact.web.no_reads": "no lo informa",
}
