"""`manage.py change_account USERNAME ...`: change any account from the server's command line.

The other way to change a 三员 account (system admin, security admin, auditor) than one of the
other two proposing and the third approving: whoever runs this has the server, not one
administrator's log-in. Every change is audited with the operating-system user.

    manage.py change_account security --reset-password      # prints a one-time code
    manage.py change_account auditor --deactivate | --activate
    manage.py change_account admin --grant system_admin --unit 1 | --revoke system_admin --unit 1
    manage.py change_account admin --full-name 王五 [--phone …] [--email …] [--unit 2]
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bangfu.accounts import services
from bangfu.accounts.models import RoleAssignment, User
from bangfu.accounts.roles import Role
from bangfu.core.errors import DomainError


class Command(BaseCommand):
    help = "在服务器命令行办理账号变更(含三员账号),写入审计日志。/ Change an account, audited."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", help="登录名")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--reset-password", action="store_true", help="签发一次性设置码")
        what.add_argument("--deactivate", action="store_true", help="停用账号")
        what.add_argument("--activate", action="store_true", help="启用账号")
        what.add_argument("--grant", choices=Role.values, help="授予角色(须给 --unit)")
        what.add_argument("--revoke", choices=Role.values, help="撤销角色(须给 --unit)")
        what.add_argument("--full-name", help="修改姓名(可同时给 --phone --email --unit)")
        parser.add_argument("--unit", type=int, help="组织单位编号")
        parser.add_argument("--phone", default=None)
        parser.add_argument("--email", default=None)

    def handle(self, *args: Any, username: str, **o: Any) -> None:
        target = User.objects.filter(username=username).first()
        if target is None:
            raise CommandError(f"没有登录名为“{username}”的账号。")
        kind, payload = self._change(target, o)
        try:
            _changes, code = services.account_change_by_command(
                target=target, kind=kind, payload=payload, os_user=_os_user()
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已办理“{target.username}”的变更({kind}),已写入审计日志。")
        if code:
            self.stdout.write(f"一次性设置码(只显示这一次,交给本人):{code}")

    def _change(self, target: User, o: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if o["reset_password"]:
            return "password_reset", {}
        if o["deactivate"]:
            return "deactivate", {}
        if o["activate"]:
            return "activate", {}
        if o["grant"] or o["revoke"]:
            if not o["unit"]:
                raise CommandError("授予或撤销角色须给出 --unit(组织单位编号)。")
            if o["grant"]:
                return "role_assign", {"role": o["grant"], "unit_id": o["unit"]}
            assignment = RoleAssignment.objects.filter(
                user=target, role=o["revoke"], unit_id=o["unit"]
            ).first()
            if assignment is None:
                raise CommandError("该账号在此单位没有这个角色。")
            return "role_revoke", {"assignment_id": assignment.pk}
        return "update", {
            "full_name": o["full_name"],
            "phone": target.phone if o["phone"] is None else o["phone"],
            "email": target.email if o["email"] is None else o["email"],
            "unit_id": o["unit"] or target.unit_id,
        }


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "?"
