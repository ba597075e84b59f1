"""Spanish texts of the WhatsApp transport (Twilio)."""

TEXTS: dict[str, str] = {
    # numbered answers where quick replies are not available
    "whatsapp.reply_with": "Responde {options}.",
    "whatsapp.option": "{n} para «{label}»",
    "whatsapp.option.claim": "{n} para tomarla",
    "whatsapp.option.done": "{n} si ya está hecha",
    "whatsapp.option.cantdo": "{n} si no puedes",
    "whatsapp.option.still": "{n} si sigues en esto",
    "whatsapp.option.ack": "{n} para confirmar que lo leíste",
    "whatsapp.setting.content_sid": "«{value}» no es un id de plantilla (HX y 32 caracteres, como los imprime crisisbot whatsapp plantillas)",
    "whatsapp.doctor.template_unset_lang": "WhatsApp: falta {setting} (plantilla {name}): quien lee en «{reads}» recibe fuera de la ventana de 24 h la plantilla en «{group}»",
    "whatsapp.media_only": "Por ahora solo leo texto: escribe tu mensaje.",
    "whatsapp.card_update": "↻ {title} · {state}",
    "whatsapp.link": "🔗 {label}: {url}",
    # Content templates made by `crisisbot whatsapp plantillas` ({v1} becomes {{1}}...): outside
    # the 24-hour window each variable is one short line (WhatsApp's rules); the whole
    # message follows as soon as the person answers.
    "whatsapp.template.notice": "crisisbot · {v1}\nDetalle: {v2}\n👉 {v3}\nCuando respondas te envío el mensaje completo.",
    "whatsapp.template.task": "crisisbot · {v1}\nDetalle: {v2}\nElige una opción. Cuando respondas te envío la tarjeta completa.",
    "whatsapp.template.sample": "🚨 ALERTA ROJA · decretada por Jaime a las 09:00.",
    "whatsapp.template.sample_detail": "Situación: caída del servidor · Tareas: · • 2 Contacto con Entel: Cecilia",
    "whatsapp.template.sample_task": "📋 Paso 2 · Contacto con Entel",
    "whatsapp.template.sample_todo": "Responde 1 para confirmar que lo leíste.",
    "whatsapp.template.no_detail": "sin más detalle",
    "whatsapp.template.digest_todo": "Escribe {commands}.",
    "whatsapp.template.no_todo": "Nada que hacer por ahora.",
    # bitácora entries
    "log.whatsapp_delivered": "WhatsApp: mensaje entregado a {to}",
    "log.whatsapp_read": "WhatsApp: {to} leyó el mensaje",
    "log.whatsapp_failed": "WhatsApp: el mensaje a {to} no llegó ({status}, error {error})",
    "log.whatsapp_template": "WhatsApp: {to} estaba fuera de la ventana de 24 h; reenviado como plantilla aprobada",
    "log.whatsapp_fallback": "WhatsApp no llegó a {to}; reenviado por {via}",
    "log.whatsapp_unanswered": "WhatsApp no llegó a {to} y no hay otro canal: cuenta como sin respuesta (el escalamiento sigue)",
}
