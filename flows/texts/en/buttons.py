"""Button numbers and which card an answer is for (issue 11, point 3)."""

TEXTS: dict[str, str] = {
    "buttons.word.confirm": "confirm",
    "buttons.word.dismiss": "dismiss",
    "buttons.option_task": "“{verb} {number}” ({title})",
    "buttons.option_other": "“{word}” ({about})",
    "buttons.or": "{first} or {last}",
    "buttons.which": "Which one? “{typed}” is on several cards. Write {options}.",
    "buttons.nothing": "There is nothing for you to choose now. Write “my tasks” to see your tasks, or “help”.",
    "buttons.no_such": "None of your cards has option {n}. Reply {numbers}, or write “my tasks”.",
    "buttons.card_over": "That card has no options left. Write “my tasks” to see what is pending.",
    "buttons.digest_reply": "Reply what the arrow (→) of each task says.",
    "buttons.card_options": "That card has no such option. Reply {options}.",
}
