"""Button numbers and which card an answer is for (issue 11, point 3)."""

TEXTS: dict[str, str] = {
    "buttons.word.confirm": "confirmar",
    "buttons.word.dismiss": "descartar",
    "buttons.option_task": "«{verb} {number}» ({title})",
    "buttons.option_other": "«{word}» ({about})",
    "buttons.or": "{first} o {last}",
    "buttons.which": "¿Cuál? «{typed}» está en varias tarjetas. Escribe {options}.",
    "buttons.nothing": "No tengo opciones pendientes para ti. Escribe «mis tareas» para ver tus tareas o «ayuda».",
    "buttons.no_such": "Ninguna de tus tarjetas tiene la opción {n}. Responde {numbers}, o escribe «mis tareas».",
    "buttons.card_over": "Esa tarjeta ya no tiene opciones. Escribe «mis tareas» para ver lo pendiente.",
    "buttons.digest_reply": "Responde lo que indica la flecha (→) de cada tarea.",
    "buttons.card_options": "Esa tarjeta no tiene esa opción. Responde {options}.",
}
