"""Spanish texts for when Slack cannot do its part: it cannot say who somebody is
(handlers/slack/people.py), or the crisis channel was archived (handlers/slack/channel.py)."""

TEXTS: dict[str, str] = {
    "slack.unknown_for_now": (
        "⚠️ {name}, Slack no me deja comprobar quién eres en este momento, así que tu mensaje no quedó "
        "anotado. Vuelve a escribirlo en un minuto; si es urgente, avisa a un coordinador por teléfono."
    ),
    "slack.channel_archived": (
        "⚠️ El canal de crisis {channel} está archivado, así que nadie lo ve ahí. Desarchívalo, o configura "
        "SLACK_CRISIS_CHANNEL con otro canal. Mientras tanto, mando los mensajes del grupo a cada persona por "
        "mensaje directo."
    ),
}
