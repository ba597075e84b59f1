"""`crisisbot check`: what people type must name one thing (flows/graph_review.py), and
schema errors said in a playbook author's words (bot/loading.py)."""

TEXTS: dict[str, str] = {
    "check_review.duplicate_number": "paso {number}: otro paso ya tiene el número «{number}» (línea {other}); cada paso necesita el suyo",
    "check_review.duplicate_option": "paso {number}: la opción «{value}» está dos veces",
    "check_review.option_not_in_field": "paso {number}: la opción «{value}» no es una opción del campo «{field}» (opciones: {options})",
    "check_review.prefix": "«{value}» no vale: de 1 a 3 letras mayúsculas, como R o TI",
    "check_review.field_id": "«{value}» no vale: minúsculas, números y «_», empezando por una letra",
    "check_review.unique": "«{value}» no vale: el único valor posible es «open»",
    "check_review.yaml_bool": 'debe ser un texto: sin comillas, YAML lee no, yes, on, off, true y false como sí/no; escríbelo entre comillas, como "no"',
}
