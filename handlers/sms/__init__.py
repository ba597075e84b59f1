"""SMS through Twilio, the last channel: the essentials of a message (what happened, which
task, what to answer) for people no chat channel reaches, and their answers by SMS."""
