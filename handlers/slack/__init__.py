"""The Slack transport: a Bolt app that verifies and translates Slack's events, buttons,
modals and the /crisis command into the engine's commands, and a Transport that renders
the engine's neutral messages as Block Kit. No crisis logic lives here."""
