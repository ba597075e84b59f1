"""Drills: the terminal's simulated time (issue 11, point 11) and drills in the real
channels (issue 14, flows/drills.py)."""

TEXTS: dict[str, str] = {
    "drill.continues": "Sigue la crisis {id} (declarada {declared}).",
    "drill.continues_simulated": "Sigue la crisis {id} (declarada {declared}, hora simulada {now}).",
    "drill.kept": "🕒 La crisis {id} queda en hora simulada: la próxima sesión sigue desde aquí.",
    "drill.interrupted": "Interrumpido. Lo registrado quedó guardado; lo que faltaba mostrar sale en la próxima sesión.",
    # issue 14: every message of a drill starts with this
    "drill.prefix": "🧪 SIMULACRO · ",
    "drill.declared": "Simulacro iniciado por {by} a las {at}: es un ensayo, nada de esto es real. Respondan como si lo fuera.{reported}\n{description}Tareas:\n{plan}",
    "drill.not_declarer": "Solo pueden iniciar un simulacro quienes decretan la crisis: {names}.",
    "drill.crisis_open": "Hay una crisis real abierta desde las {at}: no se puede iniciar un simulacro ahora.",
    "drill.already_drill": "Ya hay un simulacro en curso desde las {at}. Para terminarlo, escribe FIN DE LA CRISIS.",
    "drill.real_ask": "⚠️ Hay un simulacro en curso (desde las {at}) y escribiste «{text}». ¿Es una crisis real o parte del simulacro?",
    "drill.btn_real": "🚨 Crisis real",
    "drill.btn_part": "🧪 Parte del simulacro",
    "drill.part_kept": "Entendido: es parte del simulacro. Sigue el simulacro.",
    "banner_drill": "📣 En un simulacro el banner del sitio no se publica. Habría mostrado: «{text}». Quien decreta puede cambiar ese texto con «banner: <texto>».",
    "banner_drill_set_you": "📣 Anotado: el banner habría dicho «{text}» (en un simulacro no se publica).",
    "drill.proposal_real": "🚨 ¿Decretar ALERTA ROJA? {who} dice que es una crisis REAL, no parte del simulacro: «{text}». Decretarla termina el simulacro.",
    "drill.ended_real": "🚨 El simulacro terminó: {by} decretó una crisis real a las {at}. Lo que sigue es REAL.",
    "log.asked_if_real": "Escribió «{text}» durante el simulacro: se le preguntó si es real",
    "log.part_of_drill": "Dijo que «{text}» es parte del simulacro",
    "log.drill_ended": "Terminó el simulacro: se decretó una crisis real",
    "log.banner_would_up": "Simulacro: el banner se habría publicado en el sitio (tarea {step} hecha)",
    "log.banner_would_down": "Simulacro: el banner se habría retirado del sitio (tarea {step} hecha)",
    "ev.asked_if_real": "¿Crisis real? preguntado",
    "ev.part_of_drill": "Parte del simulacro",
    "ev.drill_ended": "Simulacro terminado por crisis real",
    "ev.banner_would_up": "Banner (simulacro: no publicado)",
    "ev.banner_would_down": "Banner (simulacro: no retirado)",
}
