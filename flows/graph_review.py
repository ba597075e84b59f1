"""What people type names one thing: more that `crisisbot check` proves on a case playbook
(review of issue 12, docs/cases.md «What crisisbot check proves»).

- step numbers differ (people type «hecho R-12 5»; compared as typed, «5a» is «5A»);
- the options of one question have different values (the value is stored and routes);
- a question that stores into a `choice` field offers only that field's values (the case
  would hold a value the field cannot take, and conditions on it would never see it).

Pure; problems are `flows.validation.Problem`s said with the «check_review.*» texts."""

from __future__ import annotations

from flows.playbook import FieldKind, Playbook, StepKind
from flows.validation import Path, Problem


def check_words(playbook: Playbook) -> list[Problem]:
    """The problems above, each at the later of two clashing places (`other`: the first)."""
    problems: list[Problem] = []
    numbers: dict[str, Path] = {}
    fields = {f.id: f for f in playbook.fields}
    for i, step in enumerate(playbook.steps):
        path: Path = ("steps", i, "number")
        first = numbers.setdefault(step.number.strip().casefold(), path)
        if first != path:
            problems.append(Problem("playbook", path, "check_review.duplicate_number", {"number": step.number}, other=first))
        if step.kind != StepKind.ASK:
            continue
        seen: set[str] = set()
        field = fields.get(step.answer_field)
        allowed = {o.value for o in field.options} if field is not None and field.kind == FieldKind.CHOICE else None
        for k, option in enumerate(step.options):
            where: Path = ("steps", i, "options", k, "value")
            if option.value in seen:
                problems.append(Problem("playbook", where, "check_review.duplicate_option",
                                        {"number": step.number, "value": option.value}))
            seen.add(option.value)
            if allowed is not None and option.value not in allowed:
                problems.append(Problem("playbook", where, "check_review.option_not_in_field", {
                    "number": step.number, "value": option.value, "field": step.answer_field,
                    "options": ", ".join(sorted(allowed)) or "-"}))
    return problems
