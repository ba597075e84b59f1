"""Confirmations before what cannot be undone, the crisis description (issue 11, points 1, 2, 4)."""

TEXTS: dict[str, str] = {
    # FIN DE LA CRISIS with work undone (flows/lifecycle.py)
    "safety.open_one": "queda 1 tarea abierta ({steps})",
    "safety.open_many": "quedan {n} tareas abiertas ({steps})",
    "safety.unsigned_one": "falta la firma del paso {steps}",
    "safety.unsigned_many": "faltan las firmas de los pasos {steps}",
    "safety.and": " y ",
    "safety.close_ask": "⚠️ {undone}. ¿Cerrar igual?",
    "safety.proposal_undone": "{undone}.",
    "safety.btn_close_anyway": "Cerrar igual",
    "safety.btn_keep_open": "Seguir",
    "safety.kept_open": "De acuerdo, la crisis sigue abierta.",
    # closing steps that undo what was never done
    "safety.not_needed_reason": "el paso {number} no se hizo",
    "safety.not_needed_head": "No hace falta:",
    "safety.not_needed_line": "• {number} {title} ({reason})",
    # acting on a task someone else holds (flows/confirm.py)
    "safety.act_done_ask": "La tarea {number} la tiene {owner}. ¿La marcas hecha tú?",
    "safety.act_sign_ask": "La tarea {number} la tiene {owner}. ¿La firmas tú?",
    "safety.act_release_ask": "La tarea {number} la tiene {owner}. ¿Se la quitas para que la tome otra persona?",
    "safety.btn_did_it": "Sí, la hice yo",
    "safety.btn_sign_it": "Sí, firmo yo",
    "safety.btn_release": "Sí, quitársela",
    "safety.btn_no": "No",
    "safety.act_kept": "De acuerdo, no cambié nada: la tarea {number} sigue con {owner}.",
    "safety.not_for_you": "Esa pregunta era para {who}.",
    "safety.released_owner": "{by} te quitó la tarea {number} ({title}); se avisó a los demás responsables.",
    "safety.released_you": "Listo, la tarea {number} quedó libre; aviso a sus responsables.",
    "log.act_confirmed": "Confirmó actuar sobre la tarea {step}, que tenía {owner}",
    "log.released": "Quitó la tarea {step} a {owner}",
    # answers to a question, and the description shown before it goes to all (flows/describe.py)
    "safety.preview": "Se enviará a todos: «{text}»",
    "safety.btn_send": "Enviar",
    "safety.btn_fix": "Corregir",
    "safety.fix_ask": "Escribe de nuevo {label}; te la muestro antes de enviarla.",
    "safety.not_an_answer": "No tomé «{text}» como {label}. Escríbelo en un mensaje, con palabras.",
    "safety.question_expired": "No tomé tu mensaje como {label}: te lo pedí hace más de {minutes} min. "
                               "Si lo es, escribe «hecho {number}» y te lo vuelvo a pedir.",
    # playbook checks (bot/loading.py locates them)
    "config.undoes_not_crisis": "«undoes» debe nombrar un paso de la crisis; '{ref}' es de cierre",
    "config.undoes_not_closing": "solo un paso de cierre (phase: closing) puede deshacer otro ('{ref}')",
}
