"""`manage.py unlock_user USERNAME`: the way back that no outsider can block.

Clear every failed log-in of the account (from every address), as the security administrator's
"解除锁定" button does, from the server's command line — for when the only security
administrator is the one locked out. Audited, with the operating-system user who ran it.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bangfu.accounts.audit_actions import AccountsAction
from bangfu.accounts.models import User
from bangfu.core.audit import audit_record


class Command(BaseCommand):
    help = "解除账号的登录锁定(清除其全部失败记录),写入审计日志。/ Unlock an account, audited."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="登录名")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        from axes.utils import reset

        target = User.objects.filter(username=username).first()
        if target is None:
            raise CommandError(f"没有登录名为“{username}”的账号。")
        with transaction.atomic():
            cleared = reset(username=target.username)
            audit_record(
                actor=None,
                action=AccountsAction.USER_UNLOCK,
                obj=target,
                summary=f"命令行解除登录锁定(操作系统用户 {_os_user()})",
                changes={"failed_attempts_cleared": [cleared, 0], "via": [None, "manage.py"]},
            )
        self.stdout.write(f"已解除“{target.username}”的登录锁定,清除失败记录 {cleared} 条。")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "?"
