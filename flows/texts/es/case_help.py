"""«/caso» sin procedimiento conocido, o un caso que no existe (flows/case_help.py)."""

TEXTS = {
    "case_help.list": "Para abrir un caso:\n{lines}",
    "case_help.unknown_playbook": "No conozco el procedimiento «{asked}». Para abrir un caso:\n{lines}",
    "case_help.line": "• {name}: /caso {id} {fields}{phrase}",
    "case_help.phrase": " (o escribe «{phrase} …»)",
    "case_help.unknown_case": "No hay ningún caso {short_id}. Escribe «mis casos» para ver los tuyos.",
    "case_help.help_cases": "• Casos: «estado R-12», «hecho R-12 3», «R-12 2» (una opción), «mis casos». Para abrir uno:\n{lines}\n",
    "case_help.panel_link": "🔗 Tu enlace personal a los casos abiertos (vale {minutes} min; no lo reenvíes):\n{url}",
    "case_help.none": "No hay procedimientos de casos en uso.",
}
