"""Spanish texts of the database at start-up (persistence/startup.py): one line saying what
is wrong and what to do. `{url}` is DATABASE_URL with its password masked."""

TEXTS: dict[str, str] = {
    "database.bad_url": (
        "DATABASE_URL no es una URL de base de datos («{url}»): usa sqlite:///crisisbot.db "
        "o postgresql://usuario:contraseña@servidor:5432/base"
    ),
    "database.unsupported": (
        "DATABASE_URL usa «{scheme}», que el bot no admite: usa sqlite:///archivo.db "
        "o postgresql://usuario:contraseña@servidor:5432/base"
    ),
    "database.memory": (
        "DATABASE_URL apunta a una base SQLite en memoria ({url}): se perdería todo al parar; "
        "usa un archivo, p. ej. sqlite:///crisisbot.db"
    ),
    "database.folder_missing": (
        "Base de datos {url}: la carpeta {folder} no existe; créala (mkdir -p {folder}) "
        "o cambia la ruta en DATABASE_URL"
    ),
    "database.not_a_folder": (
        "Base de datos {url}: {folder} no es una carpeta; cambia la ruta en DATABASE_URL"
    ),
    "database.is_a_folder": (
        "Base de datos {url}: {path} es una carpeta, no un archivo; pon el nombre del archivo al final de DATABASE_URL"
    ),
    "database.cannot_write": (
        "Base de datos {url}: no se puede crear ni escribir el archivo {path}; comprueba que la carpeta "
        "{folder} exista y que este usuario pueda escribir en ella y en el archivo, o cambia DATABASE_URL"
    ),
    "database.not_sqlite": (
        "Base de datos {url}: {path} no es una base de datos SQLite; apunta DATABASE_URL a otro archivo"
    ),
    "database.locked": (
        "Base de datos {url}: otro proceso la mantuvo bloqueada más de SQLITE_BUSY_TIMEOUT_MS; "
        "espera a que termine o súbelo"
    ),
    "database.unreachable": (
        "Base de datos {url}: el servidor no responde tras {attempts} intento(s) en {seconds} s ({reason}); "
        "comprueba que esté en marcha y que el servidor y el puerto de DATABASE_URL sean los suyos"
    ),
    "database.retrying": (
        "Base de datos {url}: el servidor no responde ({reason}); intento {attempt}, "
        "vuelvo a probar en {wait} s (hasta {limit} s desde el arranque)"
    ),
    "database.no_database": (
        "Base de datos {url}: la base «{database}» no existe en el servidor; créala "
        "(createdb {database}, o CREATE DATABASE) o corrige su nombre en DATABASE_URL"
    ),
    "database.no_role": (
        "Base de datos {url}: el servidor no acepta al usuario «{user}» ({reason}); créalo "
        "o corrige el usuario en DATABASE_URL"
    ),
    "database.bad_password": (
        "Base de datos {url}: la contraseña del usuario «{user}» no es válida; corrígela en DATABASE_URL"
    ),
    "database.no_privilege": (
        "Base de datos {url}: el usuario «{user}» no tiene permiso para crear las tablas ({reason}); "
        "dale permisos sobre la base (GRANT CREATE, o hazlo dueño) o usa otro usuario"
    ),
    "database.unknown_revision": (
        "Base de datos {url}: la migró una versión más nueva del bot (revisión {revision}, que esta no conoce); "
        "instala esa versión o apunta DATABASE_URL a otra base"
    ),
    "database.failed": (
        "Base de datos {url}: no se pudo abrir ni migrar ({reason}); revisa DATABASE_URL "
        "(LOG_LEVEL=DEBUG muestra el detalle)"
    ),
    "database.waiting_migration": (
        "Base de datos {url}: otro proceso la está migrando; espero a que termine"
    ),
}
