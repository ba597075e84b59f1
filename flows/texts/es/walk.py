"""`crisisbot recorrer`: every path of a case playbook from its start to an end (flows/walk.py)."""

TEXTS: dict[str, str] = {
    "walk.header": "{name} ({id}): caminos del paso {start} a un final",
    "walk.step": "paso {number}",
    "walk.end": "fin: {outcome}",
    "walk.count_one": "1 camino.",
    "walk.count_many": "{n} caminos.",
    "walk.capped": "Se muestran los primeros {n} caminos; hay más (cada ciclo se recorre una vez como máximo).",
    "walk.more": "{first} y {n} opciones más",
    "walk.none": "Ningún camino llega a un final.",
    "walk.not_case": "{id} no es un playbook de casos (kind: case): no tiene caminos que recorrer.",
    "walk.not_found": "No hay playbook «{wanted}» (ni archivo ni id). Playbooks cargados: {known}.",
}
