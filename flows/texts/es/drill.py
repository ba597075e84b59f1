"""The terminal as a drill tool: simulated time kept with the crisis (issue 11, point 11)."""

TEXTS: dict[str, str] = {
    "drill.continues": "Sigue la crisis {id} (declarada {declared}).",
    "drill.continues_simulated": "Sigue la crisis {id} (declarada {declared}, hora simulada {now}).",
    "drill.kept": "🕒 La crisis {id} queda en hora simulada: la próxima sesión sigue desde aquí.",
    "drill.interrupted": "Interrumpido. Lo registrado quedó guardado; lo que faltaba mostrar sale en la próxima sesión.",
}
