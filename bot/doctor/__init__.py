"""`crisisbot doctor`: checks the live setup (settings, files, database, Slack, Twilio)
and prints one line per check with what to do when it fails."""

from bot.doctor.run import DEFAULT_TIMEOUT, doctor

__all__ = ["DEFAULT_TIMEOUT", "doctor"]
