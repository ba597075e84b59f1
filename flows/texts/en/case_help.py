"""«/caso» naming no known procedure, or a case that does not exist (flows/case_help.py)."""

TEXTS = {
    "case_help.list": "To open a case:\n{lines}",
    "case_help.unknown_playbook": "I don't know the procedure «{asked}». To open a case:\n{lines}",
    "case_help.line": "• {name}: /caso {id} {fields}{phrase}",
    "case_help.phrase": " (or write «{phrase} …»)",
    "case_help.unknown_case": "There is no case {short_id}. Write «my cases» to see yours.",
    "case_help.help_cases": "• Cases: «status R-12», «done R-12 3», «R-12 2» (an option), «my cases». To open one:\n{lines}\n",
    "case_help.panel_link": "🔗 Your personal link to the open cases (valid {minutes} min; do not forward it):\n{url}",
    "case_help.none": "No case procedures are in use.",
}
