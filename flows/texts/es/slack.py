"""Spanish texts of the Slack transport (Block Kit, modals, /crisis, App Home)."""

TEXTS: dict[str, str] = {
    # the live announcement in the crisis channel
    "slack.live_active": "🚨 ALERTA ROJA · {name}",
    "slack.live_closing": "🟠 FIN DE LA CRISIS en curso · {name}",
    "slack.live_closed": "🏁 Crisis cerrada · {name}",
    "slack.live_footer": "Actualizado a las {at}. Cada responsable recibe sus tareas por mensaje directo; «estado» o `/crisis estado` para el detalle.",
    # an older copy of a message posted anew (a reminder, «mis tareas»): its buttons are gone
    "slack.superseded": "⬇️ Hay un mensaje más reciente sobre esto más abajo.",
    # a reminder about a task that somebody took or finished meanwhile: its buttons are gone
    "slack.settled": "✔️ Ya no hace falta responder a esto: la tarjeta de la tarea muestra cómo sigue.",
    # to the declarer, while the bot is not in SLACK_CRISIS_CHANNEL
    "slack.not_in_channel": "⚠️ No estoy en el canal de crisis {channel}, así que nadie lo ve ahí. Invítame escribiendo `/invite @crisisbot` en ese canal. Mientras tanto, mando los mensajes del grupo a cada persona por mensaje directo.",
    # modals
    "slack.btn_describe": "✍️ Escribir la descripción",
    "slack.btn_answer": "✍️ Responder",
    "slack.modal_title_description": "Describir la crisis",
    "slack.modal_title_input": "Completar tarea {number}",
    "slack.modal_submit": "Enviar",
    "slack.modal_cancel": "Cancelar",
    "slack.modal_step": "*Paso {number} · {title}*",
    "slack.input_required": "Escribe {label}.",
    "slack.nothing_asked": "No tengo ninguna pregunta pendiente para ti.",
    "slack.pressed": "Pulsaste «{label}» a las {at}.",
    # /crisis
    "slack.answer_in_dm": "Listo: te respondo por mensaje directo.",
    "slack.usage": "Uso: `/crisis estado` · `/crisis declarar [qué pasa]` · `/crisis simulacro [qué pasa | el 3/12 a las 10:00 | sorpresa mañana 9:00 | cancelar]` · `/crisis cerrar` · `/crisis mis-tareas` · `/crisis informe` · `/crisis ayuda`. También puedes escribir «ALERTA ROJA», «estado» o «FIN DE LA CRISIS» en el canal o por mensaje directo.",
    # App Home
    "slack.home_title": "🤖 crisisbot",
    "slack.home_no_crisis": "✅ No hay ninguna crisis abierta.",
    "slack.home_your_tasks": "*Tus tareas abiertas*",
    "slack.home_no_tasks": "No tienes tareas abiertas.",
    "slack.home_updated": "Actualizado a las {at}.",
}
