"""Confirmations before what cannot be undone, the crisis description (issue 11, points 1, 2, 4)."""

TEXTS: dict[str, str] = {
    # END OF CRISIS with work undone (flows/lifecycle.py)
    "safety.open_one": "1 task is still open ({steps})",
    "safety.open_many": "{n} tasks are still open ({steps})",
    "safety.unsigned_one": "step {steps} is not signed",
    "safety.unsigned_many": "steps {steps} are not signed",
    "safety.and": " and ",
    "safety.close_ask": "⚠️ {undone}. Close anyway?",
    "safety.proposal_undone": "{undone}.",
    "safety.btn_close_anyway": "Close anyway",
    "safety.btn_keep_open": "Keep going",
    "safety.kept_open": "All right, the crisis stays open.",
    # closing steps that undo what was never done
    "safety.not_needed_reason": "step {number} was not done",
    "safety.not_needed_head": "Not needed:",
    "safety.not_needed_line": "• {number} {title} ({reason})",
    # acting on a task someone else holds (flows/confirm.py)
    "safety.act_done_ask": "Task {number} is held by {owner}. Are you marking it done yourself?",
    "safety.act_sign_ask": "Task {number} is held by {owner}. Are you signing it yourself?",
    "safety.act_release_ask": "Task {number} is held by {owner}. Take it off them so someone else can take it?",
    "safety.btn_did_it": "Yes, I did it",
    "safety.btn_sign_it": "Yes, I sign",
    "safety.btn_release": "Yes, take it off",
    "safety.btn_no": "No",
    "safety.act_kept": "All right, nothing changed: task {number} stays with {owner}.",
    "safety.not_for_you": "That question was for {who}.",
    "safety.released_owner": "{by} took task {number} ({title}) off you; its other responsibles were told.",
    "safety.released_you": "Done, task {number} is free again; I am telling its responsibles.",
    "log.act_confirmed": "Confirmed acting on task {step}, held by {owner}",
    "log.released": "Took task {step} off {owner}",
    # answers to a question, and the description shown before it goes to all (flows/describe.py)
    "safety.preview": "This will be sent to everyone: “{text}”",
    "safety.btn_send": "Send",
    "safety.btn_fix": "Correct",
    "safety.fix_ask": "Write {label} again; I will show it to you before sending it.",
    "safety.not_an_answer": "I did not take “{text}” as {label}. Write it in a message, in words.",
    "safety.question_expired": "I did not take your message as {label}: I asked more than {minutes} min ago. "
                               "If it is, write “done {number}” and I will ask again.",
    # playbook checks (bot/loading.py locates them)
    "config.undoes_not_crisis": "“undoes” must name a crisis step; '{ref}' is a closing step",
    "config.undoes_not_closing": "only a closing step (phase: closing) may undo another ('{ref}')",
}
