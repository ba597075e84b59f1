"""The condition language of playbook transitions (flows/conditions.py, flows/condition_errors.py):
why a `when:` does not parse. «conditions.at» frames every reason that has a position."""

TEXTS: dict[str, str] = {
    "conditions.at": "invalid condition at column {col}: {reason}",
    "conditions.not_text": "the condition must be text: put it in quotes",
    "conditions.empty": "the condition is empty",
    "conditions.too_long": "condition too long: {length} characters (at most {max})",
    "conditions.too_deep": "more than {max} nested parentheses",
    "conditions.bad_char": "the character «{char}» is not allowed",
    "conditions.name_char": "«{char}» is not allowed in a field name: use lower case without accents, digits and «_»",
    "conditions.smart_quote": "«{char}» is not a valid quote: use ' or \"",
    "conditions.use_instead": "write «{right}» instead of «{wrong}»",
    "conditions.unclosed_string": "the quote is never closed",
    "conditions.unclosed_paren": "the parenthesis opened at column {opened} is never closed",
    "conditions.unclosed_list": "the list opened at column {opened} is never closed",
    "conditions.list_needs_in": "a list goes after «in» or «not in», not after «{op}»",
    "conditions.list_after_in": "expected a list after «in», like [1, 2]",
    "conditions.list_item": "a list holds values like 1 or 'text', not the field «{name}»",
    "conditions.chained": "one comparison at a time: join two with «and» instead of «{op}»",
    "conditions.no_calls": "«{name}(» is not allowed: there are no functions",
    "conditions.value_after": "expected a value after «{after}»",
    "conditions.condition_after": "expected a condition after «{after}»",
    "conditions.condition_first": "cannot start with «{token}»",
    "conditions.incomplete": "the comparison after «{after}» is missing, like «== 1»",
    "conditions.in_after_not": "expected «in» after «not»",
    "conditions.unexpected": "«{token}» does not belong here",
}
