"""Figures in a line of several («Total: 1 hecha · 2 vencidas»), each in the right number:
read with `flows.texts.tn` (key + "_one" for 1, key + "_many" otherwise)."""

TEXTS: dict[str, str] = {
    "n.done_one": "{n} hecha",
    "n.done_many": "{n} hechas",
    "n.done_of_one": "{n} de {total} hecha",
    "n.done_of_many": "{n} de {total} hechas",
    "n.open_one": "{n} abierta",
    "n.open_many": "{n} abiertas",
    "n.overdue_one": "{n} vencida",
    "n.overdue_many": "{n} vencidas",
    "n.skipped_one": "{n} no necesaria",
    "n.skipped_many": "{n} no necesarias",
}
