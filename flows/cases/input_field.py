"""A task's `input` on a case fills a case field: when the playbook defines that field, the
value must fit its kind (docs/cases.md «Fields»: «A value that does not fit is refused and the
person told why»). Review of issue 12: a `phone` field took «no sé»."""

from __future__ import annotations

from flows.cases import values
from flows.playbook import Step
from flows.world import Turn


def refused(turn: Turn, by: str, step: Step, value: str) -> bool:
    """True when `value` does not fit the defined case field `step.input.key` (then `by` is
    told why, in their language: «no sé» no es un teléfono…, and nothing is recorded);
    False on a crisis, for an undefined field, or when it fits. Datetimes are read in the
    playbook's time zone."""
    case = turn.out.crisis
    if case is None or not case.is_case or step.input is None:
        return False
    field = turn.playbook.fields_by_id.get(step.input.key)
    if field is None:
        return False
    try:
        values.parse_value(field, value, turn.tz, turn.now)
    except values.FieldValueError as error:
        turn.send(by, error.render)
        return True
    return False
