"""The report's figures, computed by flows/report.py from a crisis played with known
timings through the real runtime and a manual clock."""

from __future__ import annotations

from datetime import timedelta

from flows.playbook import Playbook
from flows.report import Outcome, Report, compute
from persistence import repository as repo
from tests.support import START, Chat, minutes


async def report_of(chat: Chat) -> Report:
    async with chat.rt.db.connect() as conn:
        crises = await repo.list_crises(conn)
        assert len(crises) == 1
        crisis = crises[0]
        entries = await repo.crisis_log(conn, crisis.id)
    return compute(crisis, Playbook.from_frozen(crisis.playbook_json), chat.rt.directory, entries, chat.clock.now())


async def play_known_crisis(chat: Chat) -> None:
    """09:00 declared · 09:02 Entel taken · 09:07 Entel done (ticket), banner taken, Timify
    done, one «Leído» · reminders at 09:17 and 09:27, escalation at 09:37 · 09:37 email
    taken and done · 09:52 banner done late (after its check-in), round closed late, check
    signed · FIN at 09:52 · closing tasks done at 09:55 and 09:56."""
    await chat.say("Jaime", "ALERTA ROJA: se cayó el servidor")
    await chat.advance("2m")
    await chat.say("Cecilia", "tomo 2")
    await chat.advance("5m")
    await chat.say("Cecilia", "hecho 2")
    await chat.say("Cecilia", "4455-AB")
    await chat.say("Valeria", "tomo 4")
    await chat.say("Marcelo", "tomo 6")
    await chat.say("Marcelo", "hecho 6")
    await chat.say("Luis", "leído 3")
    await chat.advance("10m")
    await chat.advance("10m")
    await chat.advance("10m")
    await chat.say("Luis", "tomo 5")
    await chat.say("Luis", "hecho 5")
    await chat.advance("15m")
    await chat.say("Valeria", "hecho 4")
    await chat.say("Jaime", "hecho 3")
    await chat.press("Jaime", "Dar por cumplido", containing="por todos?")
    await chat.press("Claudia Martínez", "Firmar verificación")
    await chat.say("Jaime", "FIN DE LA CRISIS")
    await chat.advance("3m")
    for number in ("8b", "8c", "8d", "8e"):
        await chat.say("Cecilia", f"hecho {number}")
    await chat.advance("1m")
    await chat.say("Juan Pablo", "hecho 8f")


async def test_the_manager_figures_of_a_crisis_with_known_timings(chat: Chat) -> None:
    await play_known_crisis(chat)
    report = await report_of(chat)

    assert report.start == START and report.end == START + minutes(56)
    assert report.duration == minutes(56)
    assert report.crisis.declared_by == "jaime" and report.crisis.closing_by == "jaime"
    assert report.time_to_first_response == minutes(2)  # Cecilia took Entel; the description does not count
    assert report.time_to_all_done == minutes(52)  # the check (step 7) signed at 09:52
    assert report.crisis_tasks_missing == 0
    assert (report.on_time, report.counted) == (10, 12)  # 8a is automatic; 3 and 4 were late
    assert round(report.on_time_share or 0, 3) == 0.833
    assert report.closing_duration == minutes(4)
    assert report.reminders == 4 and report.escalations == 2


async def test_each_task_says_who_took_it_how_fast_and_whether_it_was_late(chat: Chat) -> None:
    await play_known_crisis(chat)
    by_number = {f.step.number: f for f in (await report_of(chat)).tasks}

    entel = by_number["2"]
    assert entel.taken_by == ("cecilia",)
    assert (entel.time_to_take, entel.time_to_finish) == (minutes(2), minutes(7))
    assert (entel.reminders, entel.escalations, entel.late, entel.outcome) == (0, 0, False, Outcome.ON_TIME)

    email = by_number["5"]
    assert email.taken_by == ("luis",)
    assert (email.time_to_take, email.time_to_finish) == (minutes(37), minutes(37))
    assert (email.reminders, email.escalations) == (2, 1)
    assert email.reminder_times == (START + minutes(17), START + minutes(27))
    assert email.outcome == Outcome.ON_TIME  # due at 09:45

    banner = by_number["4"]
    assert banner.taken_by == ("valeria",) and banner.time_to_take == minutes(7)
    assert banner.time_to_finish == minutes(52) and banner.checkins == 1
    assert banner.deadline_at == START + minutes(45)
    assert banner.late and banner.outcome == Outcome.LATE

    round_ = by_number["3"]  # all staff acknowledge: the first «Leído» is when it was taken
    assert round_.taken_by == ("luis", "jaime") and round_.time_to_take == minutes(7)
    assert (round_.reminders, round_.escalations, round_.outcome) == (2, 1, Outcome.LATE)

    assert by_number["1"].taken_by == ("jaime",) and by_number["1"].time_to_finish == timedelta(0)
    assert by_number["8a"].outcome == Outcome.AUTOMATIC
    assert by_number["8f"].time_to_finish == minutes(1) and by_number["8f"].taken_by == ("juan_pablo",)


async def test_the_check_sign_off_is_in_the_report(chat: Chat) -> None:
    await play_known_crisis(chat)
    report = await report_of(chat)
    (sign_off,) = report.sign_offs
    assert sign_off.step.number == "7"
    assert (sign_off.signed_by, sign_off.signed_at) == ("claudia_martinez", START + minutes(52))
    assert [f.step.number for f in sign_off.checked] == ["1", "2", "3", "4", "5", "6"]
    assert sign_off.checked[1].task.value == "4455-AB"


async def test_a_task_given_up_and_taken_again_counts_from_the_first_taker(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: sin sistema")
    await chat.advance("3m")
    await chat.say("Cecilia", "tomo 2")
    await chat.advance("4m")
    await chat.say("Cecilia", "no puedo 2")
    await chat.advance("5m")
    await chat.say("Luis", "tomo 2")
    report = await report_of(chat)
    entel = next(f for f in report.tasks if f.step.number == "2")
    assert entel.taken_by == ("cecilia", "luis")
    assert entel.time_to_take == minutes(3)
    assert entel.time_to_finish is None and entel.outcome == Outcome.PENDING
    assert report.time_to_first_response == minutes(3)


async def test_tasks_left_undone_when_the_crisis_ends(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA: sin sistema")
    await chat.advance("50m")  # past every 45-minute deadline
    await chat.say("Cecilia", "tomo 2")
    await chat.say("Cecilia", "hecho 2")
    await chat.say("Cecilia", "T-1")
    await chat.say("Jaime", "FIN DE LA CRISIS")
    await chat.press("Jaime", "Cerrar igual")  # work undone: asked first (issue 11 point 1)
    report = await report_of(chat)
    by_number = {f.step.number: f for f in report.tasks}
    assert by_number["2"].outcome == Outcome.LATE
    assert by_number["5"].outcome == Outcome.NOT_DONE and by_number["5"].late
    assert by_number["7"].outcome == Outcome.NOT_DONE and by_number["7"].activated_at is None
    assert report.time_to_all_done is None and report.crisis_tasks_missing == 5  # 3, 4, 5, 6, 7
    assert report.sign_offs[0].signed_at is None
    assert report.is_open  # the closing tasks are still running


async def test_an_open_crisis_is_measured_until_now(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA")
    await chat.say("Jaime", "se cayó el servidor")
    await chat.press("Jaime", "Enviar")  # shown back before it goes to all (issue 11 point 2)
    await chat.advance("20m")
    report = await report_of(chat)
    by_number = {f.step.number: f for f in report.tasks}
    assert report.duration == minutes(20) and report.end is None
    assert by_number["5"].outcome == Outcome.PENDING and not by_number["5"].late
    assert report.counted == 1 and report.on_time == 1  # only the description is over, in time
    chat.clock.advance(minutes(30))
    later = await report_of(chat)
    assert {f.step.number: f for f in later.tasks}["5"].outcome == Outcome.OVERDUE
    assert later.time_to_first_response is None
