"""Injects: events scripted into a drill at set times (issue 14 point 3, flows/drill_injects.py)."""

TEXTS: dict[str, str] = {
    # what people read (after «🧪 SIMULACRO · »)
    "drill_injects.text": "📣 {text}",
    "drill_injects.text_step": "📣 Paso {number} ({title}): {text}",
    "drill_injects.incident": "🚨 Segundo incidente: {text}",
    "drill_injects.unavailable_you": ("📵 En este simulacro ya no estás disponible: el bot actuará como si no pudiera "
                                      "contactarte. No respondas hasta que termine el simulacro."),
    "drill_injects.why_unavailable": "no disponible en el simulacro",
    # bitácora, and the CSV's event names
    "log.inject_text": "Inyección: «{text}» a {names}",
    "log.inject_text_step": "Inyección en el paso {step}: «{text}» a {names}",
    "log.inject_incident": "Inyección: segundo incidente «{text}»",
    "log.inject_unavailable": "Inyección: {names} no disponible desde ahora (el bot actúa como si no pudiera contactarle)",
    "ev.inject_text": "Inyección: mensaje",
    "ev.inject_text_step": "Inyección: mensaje a un paso",
    "ev.inject_incident": "Inyección: segundo incidente",
    "ev.inject_unavailable": "Inyección: no disponible",
    # the model's own checks (flows/playbook.py Inject)
    "config.inject_kind": "cada inyección lleva una sola cosa: «text», «unavailable» o «incident»",
    "config.inject_to": "«text» necesita a quién: «to» (persona o rol) o «to_step» (número de paso), uno de los dos",
    # references (crisisbot check, and a drill file)
    "drill_injects.check.unknown_step": "simulacro, inyección {n}, to_step: «{ref}» no es un paso (pasos: {known})",
    "drill_injects.check.unknown_who": ("simulacro, inyección {n}, {field}: «{ref}» no es el id de una persona del "
                                        "directorio ni un rol (roles: {roles})"),
    # a drill file
    "drill_injects.where": "inyección {n}, {field}: ",
    "drill_injects.where_inject": "inyección {n}: ",
    "drill_injects.script.empty": "el archivo está vacío: escribe «injects:» con la lista de eventos (docs/drills.md)",
    "drill_injects.script.no_injects": "falta «injects:», la lista de eventos del simulacro (docs/drills.md)",
    "drill_injects.script.none": "«injects:» no tiene ningún evento",
    "drill_injects.script.shape": "cada inyección es un mapa como «- at: 5m» seguido de sus campos",
    "drill_injects.script.not_text": "«{field}» debe ser un texto (un número de paso va entre comillas: \"2\")",
}
