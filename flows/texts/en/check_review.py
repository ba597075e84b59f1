"""`crisisbot check`: what people type must name one thing (flows/graph_review.py), and
schema errors said in a playbook author's words (bot/loading.py)."""

TEXTS: dict[str, str] = {
    "check_review.duplicate_number": "step {number}: another step already has the number «{number}» (line {other}); each step needs its own",
    "check_review.duplicate_option": "step {number}: the option «{value}» is there twice",
    "check_review.option_not_in_field": "step {number}: the option «{value}» is not an option of the field «{field}» (options: {options})",
    "check_review.prefix": "«{value}» is not allowed: 1 to 3 capital letters, like R or TI",
    "check_review.field_id": "«{value}» is not allowed: lowercase letters, digits and «_», starting with a letter",
    "check_review.unique": "«{value}» is not allowed: the only possible value is «open»",
    "check_review.yaml_bool": 'must be a text: without quotes, YAML reads no, yes, on, off, true and false as yes/no; put it in quotes, like "no"',
}
