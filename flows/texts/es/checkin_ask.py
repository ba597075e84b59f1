"""The check-in on a case question past its deadline (its numbers pick options, not «Sigo en esto»)."""

TEXTS: dict[str, str] = {
    "checkin_ask.question": "⌛ La pregunta {number} ({title}) pasó su plazo: elige una opción. Si aún no puedes, escribe «sigo {case} {number}».",
}
