from typing import Any

from django.core.management.base import BaseCommand

from bangfu.accounts.roles import Role
from bangfu.demo.data import seed_all


class Command(BaseCommand):
    help = "Load the demo township (响水乡) and its users, once; print the demo log-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins = seed_all(log=self.stdout.write)
        self.stdout.write("")
        self.stdout.write("演示账号 / demo log-ins (密码 password):")
        for login in logins:
            self.stdout.write(
                f"  {login.username:<10} {login.password}  {Role(login.role).label} · {login.unit}"
            )
