from tests.support import Chat


async def test_declaration_reaches_entel_responsibles(chat: Chat) -> None:
    await chat.say("Jaime", "ALERTA ROJA")
    assert chat.received("grupo", "ALERTA ROJA · decretada por Jaime")
    card = chat.received("Luis", "Contacto con Entel")
    assert card and [b.label for b in card[0].buttons] == ["Lo tomo", "Hecho", "No puedo"]
