"""English texts of the Slack transport (Block Kit, modals, /crisis, App Home)."""

TEXTS: dict[str, str] = {
    # the live announcement in the crisis channel
    "slack.live_active": "🚨 RED ALERT · {name}",
    "slack.live_closing": "🟠 END OF CRISIS under way · {name}",
    "slack.live_closed": "🏁 Crisis closed · {name}",
    "slack.live_footer": "Updated at {at}. Each responsible gets their tasks by direct message; «status» or `/crisis estado` for the details.",
    # an older copy of a message posted anew (a reminder, «mis tareas»): its buttons are gone
    "slack.superseded": "⬇️ There is a newer message about this below.",
    # a reminder about a task that somebody took or finished meanwhile: its buttons are gone
    "slack.settled": "✔️ No need to answer this any more: the task's card shows where it stands.",
    # to the declarer, while the bot is not in SLACK_CRISIS_CHANNEL
    "slack.not_in_channel": "⚠️ I am not in the crisis channel {channel}, so nobody sees the crisis there. Invite me by typing `/invite @crisisbot` in that channel. Meanwhile I send the group's messages to each person by direct message.",
    # modals
    "slack.btn_describe": "✍️ Write the description",
    "slack.btn_answer": "✍️ Answer",
    "slack.modal_title_description": "Describe the crisis",
    "slack.modal_title_input": "Complete task {number}",
    "slack.modal_submit": "Send",
    "slack.modal_cancel": "Cancel",
    "slack.modal_step": "*Step {number} · {title}*",
    "slack.input_required": "Write {label}.",
    "slack.nothing_asked": "I have no pending question for you.",
    "slack.pressed": "You pressed «{label}» at {at}.",
    # /crisis
    "slack.answer_in_dm": "Done: I answer you by direct message.",
    "slack.usage": "Usage: `/crisis estado` · `/crisis declarar [what happens]` · `/crisis simulacro [what happens | on 3/12 at 10:00 | surprise tomorrow 9:00 | cancel]` · `/crisis cerrar` · `/crisis mis-tareas` · `/crisis informe` · `/crisis ayuda`. You can also write «RED ALERT», «status» or «END OF CRISIS» in the channel or by direct message.",
    # App Home
    "slack.home_title": "🤖 crisisbot",
    "slack.home_no_crisis": "✅ There is no open crisis.",
    "slack.home_your_tasks": "*Your open tasks*",
    "slack.home_no_tasks": "You have no open tasks.",
    "slack.home_updated": "Updated at {at}.",
}
