"""Values a task records, corrections, keywords and help (issue 11, points 8, 9, 10)."""

TEXTS: dict[str, str] = {
    # values (flows/inputs.py)
    "input_invalid": "That does not look like {label}. Write it again.",
    "input_invalid_example": "That does not look like {label}. Example: {example}. Write it again.",
    "input_example_suffix": " (example: {example})",
    "correct_ask": "✏️ Task {number}: {label} recorded is «{value}». Write the right value.",
    "correct_ask_example": "✏️ Task {number}: {label} recorded is «{value}». Write the right value (example: {example}).",
    "correct_same": "Task {number} already has «{value}». Nothing changed.",
    "corrected_you": "✏️ Corrected on task {number}: {label} is now «{new}» (was «{old}»).",
    "corrected_other": "✏️ {who} corrected task {number}: {label} is now «{new}» (was «{old}»).",
    "description_corrected": "✏️ About the crisis, corrected by {who}: {text}",
    "correct_nothing": "Task {number} has no recorded value to correct.",
    "correct_not_allowed": "Only {by}, who recorded it, or the coordinators can correct task {number}.",
    "log.corrected": "Corrected the value of task {step} · {label}: from «{old}» to «{new}»",
    "config.bad_regex": "invalid pattern «{value}»: {reason}",
    "config.local_text": "invalid text: write a text or one per language, like {{es: ..., en: ...}}",
    # commands without a number (flows/engine.py)
    "which_task": "Which one? Write the number: {options}.",
    "which_task_none": "You have no pending task for that. Write «my tasks» to see yours.",
    "which_task_option": "«{verb} {number}» ({title})",
    "help_full": (
        "📖 What you can write:\n"
        "• «{declare}» declares a crisis · «{close}» closes it\n"
        "• «status»: how it goes · «my tasks»: your tasks with their buttons\n"
        "• «take 2», «done 2», «cant 2», «read 3», «still 4» (no number if you have only one)\n"
        "• «correct 2» corrects a recorded value (or «correct 2: 4455-AC»)\n"
        "{extra}"
        "• «report»: the summary · «log»: the whole record · «panel»: a link to the web dashboard\n"
        "• «?» or «help»: this message"
    ),
    "help_note": "• «note: …» adds a note to the log\n",
    "verb_claim": "take",
    "verb_done": "done",
    "verb_cantdo": "can't",
    "verb_ack": "read",
    "verb_still": "still",
    "verb_correct": "correct",
}
