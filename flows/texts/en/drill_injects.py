"""Injects: events scripted into a drill at set times (issue 14 point 3, flows/drill_injects.py)."""

TEXTS: dict[str, str] = {
    # what people read (after «🧪 DRILL · »)
    "drill_injects.text": "📣 {text}",
    "drill_injects.text_step": "📣 Step {number} ({title}): {text}",
    "drill_injects.incident": "🚨 Second incident: {text}",
    "drill_injects.unavailable_you": ("📵 In this drill you are no longer available: the bot will act as if it could not "
                                      "reach you. Do not answer until the drill ends."),
    "drill_injects.why_unavailable": "not available in the drill",
    # bitácora, and the CSV's event names
    "log.inject_text": "Inject: «{text}» to {names}",
    "log.inject_text_step": "Inject on step {step}: «{text}» to {names}",
    "log.inject_incident": "Inject: second incident «{text}»",
    "log.inject_unavailable": "Inject: {names} not available from now on (the bot acts as if it could not reach them)",
    "ev.inject_text": "Inject: message",
    "ev.inject_text_step": "Inject: message to a step",
    "ev.inject_incident": "Inject: second incident",
    "ev.inject_unavailable": "Inject: not available",
    # the model's own checks (flows/playbook.py Inject)
    "config.inject_kind": "each inject carries one thing only: «text», «unavailable» or «incident»",
    "config.inject_to": "«text» needs a recipient: «to» (person or role) or «to_step» (step number), one of them",
    # references (crisisbot check, and a drill file)
    "drill_injects.check.unknown_step": "drill, inject {n}, to_step: «{ref}» is not a step (steps: {known})",
    "drill_injects.check.unknown_who": ("drill, inject {n}, {field}: «{ref}» is neither the id of a person of the "
                                        "directory nor a role (roles: {roles})"),
    # a drill file
    "drill_injects.where": "inject {n}, {field}: ",
    "drill_injects.where_inject": "inject {n}: ",
    "drill_injects.script.empty": "the file is empty: write «injects:» with the list of events (docs/drills.md)",
    "drill_injects.script.no_injects": "«injects:», the drill's list of events, is missing (docs/drills.md)",
    "drill_injects.script.none": "«injects:» has no event",
    "drill_injects.script.not_text": "«{field}» must be a text (a step number goes in quotes: \"2\")",
    "drill_injects.script.shape": "each inject is a mapping such as «- at: 5m» followed by its fields",
}
