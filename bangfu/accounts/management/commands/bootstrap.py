from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bangfu.accounts.audit_actions import AccountsAction
from bangfu.accounts.models import RoleAssignment, User
from bangfu.accounts.roles import Role
from bangfu.accounts.services import generate_password
from bangfu.core.audit import audit_record, checkpoint_after_commit
from bangfu.core.keys import fingerprints_summary, key_fingerprints_record
from bangfu.network.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Set up a new installation: the top centre, a system admin and a security admin with "
        "one-time passwords that must be changed at first log-in; record the fingerprints of "
        "the configured keys (if the first migrate has not) and write the first audit checkpoint."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--centre", required=True, help="顶层帮扶中心名称")
        parser.add_argument("--level", default=OrgUnit.Level.TOWNSHIP, choices=OrgUnit.Level.values)
        parser.add_argument("--admin", default="admin", help="系统管理员登录名")
        parser.add_argument("--security", default="security", help="安全管理员登录名")
        parser.add_argument("--auditor", default="auditor", help="审计员登录名")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if OrgUnit.objects.exists() or User.objects.exists():
            raise CommandError("系统已初始化(已有组织单位或账号),不能再次初始化。")
        centre = OrgUnit.objects.create(
            name=options["centre"].strip(), kind=OrgUnit.Kind.CENTER, level=options["level"]
        )
        centre.path = f"/{centre.pk}/"
        centre.save(update_fields=["path"])
        self.stdout.write(f"已创建顶层单位:{centre.name}")
        self.stdout.write("首次登录后须立即修改以下一次性密码:")
        for option, role, full_name in (
            ("admin", Role.SYSTEM_ADMIN, "系统管理员"),
            ("security", Role.SECURITY_ADMIN, "安全管理员"),
            ("auditor", Role.AUDITOR, "审计员"),
        ):
            password = generate_password()
            user = User.objects.create_user(
                username=options[option],
                password=password,
                full_name=full_name,
                unit=centre,
                must_change_password=True,
            )
            RoleAssignment.objects.create(user=user, role=role, unit=centre)
            self.stdout.write(f"  {user.username:<12} {password}  {Role(role).label}")
        keys = key_fingerprints_record()
        audit_record(
            actor=None,
            action=AccountsAction.INSTALLATION_BOOTSTRAP,
            obj=centre,
            summary="系统初始化",
            changes={"keys": fingerprints_summary(keys)} if keys else None,
        )
        checkpoint_after_commit(reason="bootstrap")
