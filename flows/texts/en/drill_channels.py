"""Drills in every channel: WhatsApp templates, Slack redraws, SMS, the dashboard (issue 14 point 2)."""

TEXTS: dict[str, str] = {
}
