"""English texts of the database at start-up (persistence/startup.py)."""

TEXTS: dict[str, str] = {
    "database.bad_url": (
        "DATABASE_URL is not a database URL («{url}»): use sqlite:///crisisbot.db "
        "or postgresql://user:password@host:5432/database"
    ),
    "database.unsupported": (
        "DATABASE_URL uses «{scheme}», which the bot does not support: use sqlite:///file.db "
        "or postgresql://user:password@host:5432/database"
    ),
    "database.memory": (
        "DATABASE_URL points to an in-memory SQLite database ({url}): everything would be lost on stop; "
        "use a file, e.g. sqlite:///crisisbot.db"
    ),
    "database.folder_missing": (
        "Database {url}: the folder {folder} does not exist; create it (mkdir -p {folder}) "
        "or change the path in DATABASE_URL"
    ),
    "database.not_a_folder": "Database {url}: {folder} is not a folder; change the path in DATABASE_URL",
    "database.is_a_folder": (
        "Database {url}: {path} is a folder, not a file; end DATABASE_URL with the file's name"
    ),
    "database.cannot_write": (
        "Database {url}: the file {path} cannot be created or written; check that the folder {folder} "
        "exists and that this user can write in it and to the file, or change DATABASE_URL"
    ),
    "database.not_sqlite": "Database {url}: {path} is not a SQLite database; point DATABASE_URL to another file",
    "database.locked": (
        "Database {url}: another process kept it locked for longer than SQLITE_BUSY_TIMEOUT_MS; "
        "wait for it to finish or raise that setting"
    ),
    "database.unreachable": (
        "Database {url}: the server does not answer after {attempts} attempt(s) in {seconds} s ({reason}); "
        "check that it is running and that the host and port in DATABASE_URL are its own"
    ),
    "database.retrying": (
        "Database {url}: the server does not answer ({reason}); attempt {attempt}, "
        "trying again in {wait} s (for up to {limit} s from start-up)"
    ),
    "database.no_database": (
        "Database {url}: the database «{database}» does not exist on the server; create it "
        "(createdb {database}, or CREATE DATABASE) or fix its name in DATABASE_URL"
    ),
    "database.no_role": (
        "Database {url}: the server does not accept the user «{user}» ({reason}); create it "
        "or fix the user in DATABASE_URL"
    ),
    "database.bad_password": (
        "Database {url}: the password of the user «{user}» is not valid; fix it in DATABASE_URL"
    ),
    "database.no_privilege": (
        "Database {url}: the user «{user}» may not create the tables ({reason}); "
        "grant it rights on the database (GRANT CREATE, or make it the owner) or use another user"
    ),
    "database.unknown_revision": (
        "Database {url}: a newer version of the bot migrated it (revision {revision}, unknown to this one); "
        "install that version or point DATABASE_URL to another database"
    ),
    "database.failed": (
        "Database {url}: could not be opened or migrated ({reason}); check DATABASE_URL "
        "(LOG_LEVEL=DEBUG shows the details)"
    ),
    "database.waiting_migration": "Database {url}: another process is migrating it; waiting for it to finish",
}
