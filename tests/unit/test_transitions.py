"""The tables of allowed moves, checked exhaustively: every (state, event) pair either
leads where the expected table says, or is refused."""

from __future__ import annotations

import itertools

import pytest

from flows.crisis import (
    CRISIS_MOVES,
    PROPOSAL_MOVES,
    TASK_MOVES,
    CrisisEvent,
    CrisisState,
    IllegalMove,
    ProposalEvent,
    ProposalState,
    TaskEvent,
    TaskState,
    next_state,
)

TS, TE = TaskState, TaskEvent
EXPECTED_TASK = {
    (TS.WAITING, TE.ACTIVATE): TS.OPEN,
    (TS.WAITING, TE.CANCEL): TS.CANCELLED,
    (TS.OPEN, TE.CLAIM): TS.CLAIMED,
    (TS.OPEN, TE.COMPLETE): TS.DONE,
    (TS.OPEN, TE.CANCEL): TS.CANCELLED,
    (TS.CLAIMED, TE.RELEASE): TS.OPEN,
    (TS.CLAIMED, TE.COMPLETE): TS.DONE,
    (TS.CLAIMED, TE.CANCEL): TS.CANCELLED,
    (TS.WAITING, TE.SKIP): TS.SKIPPED,
    (TS.OPEN, TE.SKIP): TS.SKIPPED,
    (TS.CLAIMED, TE.SKIP): TS.SKIPPED,
}
EXPECTED_CRISIS = {
    (CrisisState.ACTIVE, CrisisEvent.CLOSE): CrisisState.CLOSING,
    (CrisisState.CLOSING, CrisisEvent.FINISH): CrisisState.CLOSED,
    (CrisisState.ACTIVE, CrisisEvent.END): CrisisState.CLOSED,  # a case reaching an `end` step (issue 12)
}
EXPECTED_PROPOSAL = {
    (ProposalState.PENDING, ProposalEvent.CONFIRM): ProposalState.CONFIRMED,
    (ProposalState.PENDING, ProposalEvent.DISMISS): ProposalState.DISMISSED,
    (ProposalState.PENDING, ProposalEvent.EXPIRE): ProposalState.EXPIRED,
}

CASES = [
    ("task", TASK_MOVES, EXPECTED_TASK, TaskState, TaskEvent),
    ("crisis", CRISIS_MOVES, EXPECTED_CRISIS, CrisisState, CrisisEvent),
    ("proposal", PROPOSAL_MOVES, EXPECTED_PROPOSAL, ProposalState, ProposalEvent),
]
ALL_PAIRS = [
    (name, table, expected, state, event)
    for name, table, expected, states, events in CASES
    for state, event in itertools.product(states, events)
]


@pytest.mark.parametrize(("name", "table", "expected", "state", "event"), ALL_PAIRS,
                         ids=[f"{c[0]}:{c[3]}+{c[4]}" for c in ALL_PAIRS])
def test_every_pair_is_allowed_or_refused(name, table, expected, state, event) -> None:  # type: ignore[no-untyped-def]
    if (state, event) in expected:
        assert next_state(table, name, state, event) == expected[(state, event)]
    else:
        with pytest.raises(IllegalMove):
            next_state(table, name, state, event)


def test_finished_tasks_never_move_again() -> None:
    for state in (TaskState.DONE, TaskState.CANCELLED, TaskState.SKIPPED):
        for event in TaskEvent:
            with pytest.raises(IllegalMove):
                next_state(TASK_MOVES, "task", state, event)


def test_a_closed_crisis_cannot_reopen() -> None:
    for event in CrisisEvent:
        with pytest.raises(IllegalMove):
            next_state(CRISIS_MOVES, "crisis", CrisisState.CLOSED, event)
