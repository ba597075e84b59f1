"""Values a task records, corrections, keywords and help (issue 11, points 8, 9, 10)."""

TEXTS: dict[str, str] = {
    # values (flows/inputs.py)
    "input_invalid": "Eso no parece {label}. Escríbelo de nuevo.",
    "input_invalid_example": "Eso no parece {label}. Ejemplo: {example}. Escríbelo de nuevo.",
    "input_example_suffix": " (ejemplo: {example})",
    "correct_ask": "✏️ Tarea {number}: {label} registrado es «{value}». Escribe el valor correcto.",
    "correct_ask_example": "✏️ Tarea {number}: {label} registrado es «{value}». Escribe el valor correcto (ejemplo: {example}).",
    "correct_same": "La tarea {number} ya tiene «{value}». No cambié nada.",
    "corrected_you": "✏️ Corregido en la tarea {number}: {label} ahora es «{new}» (antes «{old}»).",
    "corrected_other": "✏️ {who} corrigió la tarea {number}: {label} ahora es «{new}» (antes «{old}»).",
    "description_corrected": "✏️ Información de la crisis corregida por {who}: {text}",
    "correct_nothing": "La tarea {number} no tiene un valor registrado que corregir.",
    "correct_not_allowed": "Solo {by}, quien lo registró, o coordinación pueden corregir la tarea {number}.",
    "log.corrected": "Valor corregido en la tarea {step} · {label}: de «{old}» a «{new}»",
    "config.bad_regex": "patrón no válido «{value}»: {reason}",
    "config.local_text": "texto no válido: escribe un texto o uno por idioma, como {{es: ..., en: ...}}",
    # commands without a number (flows/engine.py)
    "which_task": "¿Cuál? Escribe el número: {options}.",
    "which_task_none": "No tienes tareas pendientes para eso. Escribe «mis tareas» para verlas.",
    "which_task_option": "«{verb} {number}» ({title})",
    "help_full": (
        "📖 Qué puedes escribir:\n"
        "• «{declare}» decreta una crisis · «{close}» la cierra\n"
        "• «estado»: cómo va · «mis tareas»: tus tareas con sus botones\n"
        "• «tomo 2», «hecho 2», «no puedo 2», «leído 3», «sigo 4» (sin número si tienes una sola)\n"
        "• «corregir 2» corrige un valor registrado (o «corregir 2: 4455-AC»)\n"
        "{extra}"
        "• «informe»: el resumen · «bitácora»: el registro completo · «panel»: enlace al panel web\n"
        "• «?» o «ayuda»: este mensaje"
    ),
    "help_note": "• «nota: …» agrega una nota a la bitácora\n",
    "verb_claim": "tomo",
    "verb_done": "hecho",
    "verb_cantdo": "no puedo",
    "verb_ack": "leído",
    "verb_still": "sigo",
    "verb_correct": "corregir",
}
