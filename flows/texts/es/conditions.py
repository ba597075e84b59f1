"""The condition language of playbook transitions (flows/conditions.py, flows/condition_errors.py):
why a `when:` does not parse. «conditions.at» frames every reason that has a position."""

TEXTS: dict[str, str] = {
    "conditions.at": "condición no válida en la columna {col}: {reason}",
    "conditions.not_text": "la condición debe ser texto: ponla entre comillas",
    "conditions.empty": "la condición está vacía",
    "conditions.too_long": "condición demasiado larga: {length} caracteres (máximo {max})",
    "conditions.too_deep": "más de {max} paréntesis anidados",
    "conditions.bad_char": "el carácter «{char}» no se admite",
    "conditions.name_char": "«{char}» no vale en un nombre de campo: usa minúsculas sin tilde, cifras y «_»",
    "conditions.smart_quote": "«{char}» no es una comilla válida: usa ' o \"",
    "conditions.use_instead": "escribe «{right}» en vez de «{wrong}»",
    "conditions.unclosed_string": "falta cerrar la comilla",
    "conditions.unclosed_paren": "falta cerrar el paréntesis abierto en la columna {opened}",
    "conditions.unclosed_list": "falta cerrar la lista abierta en la columna {opened}",
    "conditions.list_needs_in": "una lista va tras «in» o «not in», no tras «{op}»",
    "conditions.list_after_in": "se esperaba una lista tras «in», como [1, 2]",
    "conditions.list_item": "en una lista van valores como 1 o 'texto', no el campo «{name}»",
    "conditions.chained": "una comparación por vez: une dos con «and» en vez de «{op}»",
    "conditions.no_calls": "«{name}(» no se admite: no hay funciones",
    "conditions.value_after": "se esperaba un valor tras «{after}»",
    "conditions.condition_after": "se esperaba una condición tras «{after}»",
    "conditions.condition_first": "no puede empezar con «{token}»",
    "conditions.incomplete": "falta la comparación tras «{after}», como «== 1»",
    "conditions.in_after_not": "tras «not» se esperaba «in»",
    "conditions.unexpected": "«{token}» no va aquí",
}
