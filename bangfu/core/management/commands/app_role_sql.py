import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bangfu.core.models import AccessLog, AuditEvent

APPEND_ONLY = (AuditEvent._meta.db_table, AccessLog._meta.db_table)


def app_role_statements(role: str, schema: str = "public") -> list[str]:
    """Return the SQL that gives the application's role what it needs and no more.

    Every table: read and write rows, but never TRUNCATE; the audit trail and the access log:
    read and append only (no UPDATE, DELETE or TRUNCATE). Run by the owner role (the one that
    runs migrate) after every migrate; the default privileges cover tables created later.
    """
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", role) or not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise ValueError("role and schema must be plain lower-case SQL names")
    tables = ", ".join(APPEND_ONLY)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {role};",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role};",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {role};",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role};",
    ]


class Command(BaseCommand):
    help = (
        "Print the SQL that grants the application's PostgreSQL role (e.g. bangfu_app) what it "
        "needs: rows of every table, but only SELECT and INSERT on the audit trail and the "
        "access log. Pipe it to psql as the owner role after every migrate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="应用使用的数据库角色,如 bangfu_app")
        parser.add_argument("--schema", default="public")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            statements = app_role_statements(options["role"], options["schema"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("\n".join(statements))
