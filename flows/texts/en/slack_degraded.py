"""English texts for when Slack cannot do its part (same keys as flows/texts/es/slack_degraded.py)."""

TEXTS: dict[str, str] = {
    "slack.unknown_for_now": (
        "⚠️ {name}, Slack will not tell me who you are right now, so what you wrote was not taken. "
        "Write it again in a minute; if it is urgent, call a coordinator."
    ),
    "slack.channel_archived": (
        "⚠️ The crisis channel {channel} is archived, so nobody sees anything there. Unarchive it, or set "
        "SLACK_CRISIS_CHANNEL to another channel. Meanwhile I send the group's messages to each person by "
        "direct message."
    ),
}
