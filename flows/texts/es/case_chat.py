"""A line about one case that cannot act on it as written (flows/cases/chat.py, flows/cases/ask.py)."""

TEXTS: dict[str, str] = {
    "case_chat.closed": "El caso {id} ya está cerrado: {outcome}. Escribe «estado {id}» para verlo.",
    "case_chat.no_option": "El caso {id} no tiene una pregunta abierta para ti. Escribe «estado {id}» para ver en qué paso va.",
    "case_chat.held": "El paso {number} del caso {id} lo tiene {owner}: no cambié nada. Si te toca a ti, pídele que lo suelte («no puedo {id} {number}»).",
    "case_chat.unknown_step": "El caso {id} no tiene un paso {number} activo. Escribe «estado {id}» para ver en qué paso va.",
}
