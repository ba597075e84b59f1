from tests.whatsapp.harness import Phones
seen = {}
EVERYBODY = ("Juan Pablo", "Cecilia", "Catalina", "Jaime", "Luis", "Valeria", "Claudia Riveros", "Claudia Martínez",
             "Marcelo")
def dump(phones, name):
    since = seen.get(name, 0)
    print(f"=========== {name}")
    for s in phones.twilio.to(phones.number(name))[since:]:
        print(f"--- [{s.content_sid and s.content_sid[:4]}] buttons={getattr(s,'buttons',None)}\n{s.text}")
    seen[name] = len(phones.twilio.to(phones.number(name)))

def test_x(phones: Phones) -> None:
    phones.write("Jaime", "ALERTA ROJA: caída del servidor")
    phones.write("Cecilia", "hecho 2")
    phones.write("Cecilia", "4455")
    for name, n in (("Valeria", 4), ("Luis", 5), ("Marcelo", 6)):
        phones.write(name, f"tomo {n}")
        phones.tap(name, "Hecho", containing=f"Paso {n}")
    for name in EVERYBODY:
        phones.write(name, "leído 3")
    phones.tap("Claudia Riveros", "Firmar verificación")
    phones.write("Jaime", "FIN DE LA CRISIS")
    for name in EVERYBODY: dump(phones, name)
    print("#################### cierre")
    for step in ("8b", "8c", "8d", "8e"):
        phones.write("Claudia Martínez", f"hecho {step}")
    phones.advance("5m")
    dump(phones, "Juan Pablo")
    phones.write("Juan Pablo", "hecho 8f")
    for name in EVERYBODY: dump(phones, name)
    assert 0
