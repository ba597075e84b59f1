"""Drills: the terminal's simulated time (issue 11, point 11) and drills in the real
channels (issue 14, flows/drills.py)."""

TEXTS: dict[str, str] = {
    "drill.continues": "Continuing crisis {id} (declared {declared}).",
    "drill.continues_simulated": "Continuing crisis {id} (declared {declared}, simulated time {now}).",
    "drill.kept": "🕒 Crisis {id} now runs on simulated time: the next session continues from here.",
    "drill.interrupted": "Interrupted. What was recorded is saved; what was still to be shown comes out in the next session.",
    # issue 14: every message of a drill starts with this
    "drill.prefix": "🧪 DRILL · ",
    "drill.declared": "Drill started by {by} at {at}: a rehearsal, none of this is real. Answer as if it were.{reported}\n{description}Tasks:\n{plan}",
    "drill.not_declarer": "Only those who declare the crisis may start a drill: {names}.",
    "drill.crisis_open": "A real crisis is open since {at}: a drill cannot start now.",
    "drill.already_drill": "A drill is already running since {at}. To end it, write END OF CRISIS.",
    "drill.real_ask": "⚠️ A drill is running (since {at}) and you wrote «{text}». Is it a real crisis or part of the drill?",
    "drill.btn_real": "🚨 Real crisis",
    "drill.btn_part": "🧪 Part of the drill",
    "drill.part_kept": "Understood: it is part of the drill. The drill goes on.",
    "banner_drill": "📣 In a drill the site banner is not published. It would have shown: «{text}». Whoever declares can change that text with «banner: <text>».",
    "banner_drill_set_you": "📣 Noted: the banner would have said «{text}» (a drill does not publish it).",
    "drill.proposal_real": "🚨 Declare RED ALERT? {who} says it is a REAL crisis, not part of the drill: «{text}». Declaring it ends the drill.",
    "drill.ended_real": "🚨 The drill has ended: {by} declared a real crisis at {at}. What follows is REAL.",
    "log.asked_if_real": "Wrote «{text}» during the drill: asked whether it is real",
    "log.part_of_drill": "Said «{text}» is part of the drill",
    "log.drill_ended": "The drill ended: a real crisis was declared",
    "log.banner_would_up": "Drill: the banner would have gone up on the site (task {step} done)",
    "log.banner_would_down": "Drill: the banner would have come down from the site (task {step} done)",
    "ev.asked_if_real": "Real crisis? asked",
    "ev.part_of_drill": "Part of the drill",
    "ev.drill_ended": "Drill ended by a real crisis",
    "ev.banner_would_up": "Banner (drill: not published)",
    "ev.banner_would_down": "Banner (drill: not taken down)",
}
