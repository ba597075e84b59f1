"""`crisisbot check` on broken files: exactly one line per problem, `file:line: reason`, in
the user's language and the playbook's terms, and never a traceback. Run in-process
(`bot.cli.main`), as a user runs it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from tests.support import DIRECTORY, PLAYBOOK

PB = PLAYBOOK.read_text(encoding="utf-8")
DIR = DIRECTORY.read_text(encoding="utf-8")


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    index = -1
    for _ in range(occurrence):
        index = text.index(fragment, index + 1)
        assert index >= 0
    return text[:index].count("\n") + 1


def replaced(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


@dataclass
class Case:
    name: str
    kind: str  # which file is broken: "playbook" or "directory"
    text: str
    expected: Callable[[str], list[str]]  # the file's text -> the lines after "file:"
    lang: str = "es"
    encoding: str = "utf-8"


LUIS_ROLES = "    roles: [entel, web, email_masivo, cierre]\n    email: luis@fullpyme.example\n"
DUP = replaced(DIR, LUIS_ROLES, LUIS_ROLES + "    roles: [cierre]\n")
LATIN1 = replaced(PB, "name: Plan de contingencia FullPyme", "name: Plan de contingencia FullPyme (versión)")
BAD_ZONE_PB = replaced(PB, "timezone: America/Santiago", "timezone: America/Santiagoo")
BAD_ZONE_PERSON = replaced(DIR, '    whatsapp: "+56911110006"\n', '    whatsapp: "+56911110006"\n    timezone: Chile/Marte\n')
PHONE = replaced(DIR, 'whatsapp: "+56911110005"', 'whatsapp: "12345"')
EMAIL = replaced(DIR, "email: valeria@fullpyme.example", "email: valeria(at)fullpyme")
SLACK = replaced(DIR, "    email: criveros@fullpyme.example\n", "    email: criveros@fullpyme.example\n    slack_id: hola\n")
TWO_LUIS = replaced(DIR, "name: Valeria", "name: Luis")
ENTEL_TITLE = "    title:\n      es: Contacto con Entel\n      en: Contact Entel\n"
TAB = replaced(PB, ENTEL_TITLE, "\ttitle: Contacto con Entel\n")
NO_TITLE = replaced(PB, ENTEL_TITLE, "")
BAD_DEADLINE = replaced(PB, ENTEL_TITLE, ENTEL_TITLE + "    policy: {deadline: pronto}\n")

CASES = [
    Case("duplicate key names both lines", "directory", DUP, lambda t: [
        f"{line_of(t, 'roles: [cierre]')}: la clave «roles» está repetida (líneas {line_of(t, 'roles: [entel, web,')} "
        f"y {line_of(t, 'roles: [cierre]')}): la segunda borraría la primera; deja una sola"]),
    Case("latin-1 file", "playbook", LATIN1, lambda t: [
        f"{line_of(t, 'caídas')}: no está en UTF-8: guárdalo como UTF-8 (byte 0xED no válido)"], encoding="latin-1"),
    Case("unknown playbook time zone", "playbook", BAD_ZONE_PB, lambda t: [
        f"{line_of(t, 'timezone:')}: timezone: zona horaria desconocida «America/Santiagoo» "
        "(usa una de la base IANA, como America/Santiago)"]),
    Case("unknown person time zone", "directory", BAD_ZONE_PERSON, lambda t: [
        f"{line_of(t, 'timezone: Chile/Marte')}: persona «Valeria», timezone: zona horaria desconocida «Chile/Marte» "
        "(usa una de la base IANA, como America/Santiago)"]),
    Case("phone not E.164", "directory", PHONE, lambda t: [
        f"{line_of(t, '12345')}: persona «Luis», whatsapp: «12345» no es un número en formato internacional E.164 "
        "(como +56912345678: «+», código de país y número, sin espacios)"]),
    Case("not an e-mail", "directory", EMAIL, lambda t: [
        f"{line_of(t, 'valeria(at)')}: persona «Valeria», email: «valeria(at)fullpyme» no es un e-mail válido: "
        "An email address must have an @-sign."]),
    Case("not a Slack id", "directory", SLACK, lambda t: [
        f"{line_of(t, 'slack_id: hola')}: persona «Claudia Riveros», slack_id: «hola» no parece un id de Slack "
        "(U o W y mayúsculas/números, como U01ABCDEF): en Slack, perfil → ⋮ → Copiar ID de miembro"]),
    Case("two people with one name", "directory", TWO_LUIS, lambda t: [
        f"{line_of(t, 'name: Luis', 2)}: «Luis» ya es el nombre o alias de otra persona (línea {line_of(t, 'name: Luis')}): "
        "nadie podría nombrar a una de las dos; usa nombres completos (p. ej. «Luis Pérez») o un alias distinto"]),
    Case("empty file", "directory", "# todavía nada\n", lambda t: ["1: archivo vacío"]),
    Case("tab indentation", "playbook", TAB, lambda t: [
        f"{line_of(t, chr(9))}: usa espacios, no tabulaciones, para sangrar"]),
    Case("step named by its number", "playbook", NO_TITLE, lambda t: [
        f"{line_of(t, '- id: entel')}: paso 2: falta «title»"]),
    Case("step field by its number, no pydantic prefix", "playbook", BAD_DEADLINE, lambda t: [
        f"{line_of(t, 'deadline: pronto')}: paso 2, policy.deadline: duración no válida «pronto»: "
        "usa por ejemplo '10m', '1h' o '2h30m'"]),
    Case("english", "playbook", NO_TITLE, lambda t: [f"{line_of(t, '- id: entel')}: step 2: «title» is missing"], lang="en"),
    Case("english duplicate key", "directory", DUP, lambda t: [
        f"{line_of(t, 'roles: [cierre]')}: the key «roles» is repeated (lines {line_of(t, 'roles: [entel, web,')} "
        f"and {line_of(t, 'roles: [cierre]')}): the second would erase the first; keep one"], lang="en"),
]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., int]:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("PLAYBOOK", "DIRECTORY", "CRISISBOT_LANG", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLAYBOOK", str(PLAYBOOK))
    monkeypatch.setenv("DIRECTORY", str(DIRECTORY))
    return main


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("given", ["settings", "arguments"])
def test_check_says_each_problem_in_one_line(
    case: Case, given: str, cli: Callable[..., int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / f"broken-{case.kind}.yaml"
    path.write_bytes(case.text.encode(case.encoding))
    monkeypatch.setenv("CRISISBOT_LANG", case.lang)
    if given == "settings":
        monkeypatch.setenv(case.kind.upper(), str(path))
        code = cli(["check"])
    else:
        code = cli(["check", str(path)])
    out, err = capsys.readouterr()
    summary = "1 problema(s)." if case.lang == "es" else "1 problem(s)."
    assert code == 1
    assert err.splitlines() == [*(f"{path}:{line}" for line in case.expected(case.text)), summary]
    assert "Traceback" not in err + out


def test_check_takes_both_files_as_arguments_in_any_order(cli: Callable[..., int], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    playbook, directory = tmp_path / "a.yaml", tmp_path / "b.yaml"
    playbook.write_text(PB, encoding="utf-8")
    directory.write_text(DIR, encoding="utf-8")
    assert cli(["check", str(directory), str(playbook)]) == 0
    assert capsys.readouterr().out == f"OK: {playbook} (13 pasos) y {directory} (9 personas).\n"


def test_check_refuses_a_file_that_is_neither(cli: Callable[..., int], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("nombre: algo\n", encoding="utf-8")
    assert cli(["check", str(other)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{other}:1: no parece un playbook (sin «steps:»), un directorio (sin «people:») ni un archivo de simulacro "
        "(sin «injects:»)", "1 problema(s)."]


def test_check_takes_a_drill_file_against_the_configured_playbook(cli: Callable[..., int], tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`crisisbot check guion.yaml`: a drill file checked as `simulacro --guion` takes it,
    with its steps and people found in the configured playbook and directory (review of issue 14)."""
    good = tmp_path / "guion.yaml"
    good.write_text("injects:\n  - at: 5m\n    to_step: \"2\"\n    text: Entel no contesta\n"
                    "  - at: 9m\n    unavailable: luis\n", encoding="utf-8")
    assert cli(["check", str(good)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"OK: {good} (2 inyecciones para un simulacro de «Plan de contingencia FullPyme»).")
    bad = tmp_path / "malo.yaml"
    bad.write_text("injects:\n  - at: 5m\n    to_step: \"44\"\n    text: Entel no contesta\n"
                   "  - at: veinte\n    unavailable: pedro\n", encoding="utf-8")
    assert cli(["check", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{bad}:5: inyección 2, at: duración no válida «veinte»"), err
    assert "Traceback" not in "\n".join(err)


def test_e164_numbers_are_kept_in_e164(tmp_path: Path) -> None:
    from flows.directory import Person

    assert Person(id="ana", name="Ana", whatsapp="+56 9 1111-0001").whatsapp == "+56911110001"
