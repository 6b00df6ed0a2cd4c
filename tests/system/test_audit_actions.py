"""Audited actions are typed: every write names its action through its context's enum
(`<context>.<entity>.<verb>`, with a Chinese label), and every name ever written — the old
scheme included — still reads as words on the audit pages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

from bangfu.core import audit_actions
from bangfu.core.audit_actions import ACTION_PATTERN, AuditAction, context_of_module, register

BANGFU = Path(settings.BASE_DIR) / "bangfu"

# Every action name written before the actions became enums (in databases that exist).
NAMES_BEFORE_THE_ENUMS = {
    "accounts.login": "登录",
    "accounts.logout": "退出登录",
    "accounts.login_failed": "登录失败",
    "accounts.lockout": "连续登录失败,账号锁定",
    "accounts.user.create": "创建账号",
    "accounts.user.update": "修改账号",
    "accounts.user.activate": "启用账号",
    "accounts.user.deactivate": "停用账号",
    "accounts.user.unlock": "解除登录锁定",
    "accounts.user.password_reset": "重置密码",
    "accounts.user.password_change": "修改密码",
    "accounts.role.assign": "授予角色",
    "accounts.role.revoke": "撤销角色",
    "system.bootstrap": "系统初始化",
    "network.unit.create": "新建组织单位",
    "network.unit.update": "修改组织单位",
    "network.unit.delete": "删除组织单位",
    "network.person.add": "登记单位人员",
    "network.person.update": "修改单位人员",
    "network.person.remove": "移除单位人员",
    "notices.notice_create": "新建公示",
    "notices.notice_publish": "发布公示",
    "notices.notice_withdraw": "撤回公示",
    "notices.notice_end": "公示期满",
    "notices.objection_record": "登记异议",
    "notices.objection_settle": "异议办结",
    "core.calendar_day.create": "录入节假日设置",
    "core.calendar_day.update": "修改节假日设置",
    "core.calendar_day.set_range": "按日期范围录入节假日",
    "core.calendar_day.delete": "删除节假日设置",
    "demo.seed": "载入演示数据",
    "archives.household.create": "新建档案",
    "archives.household.update": "修改档案",
    "archives.household.determine": "认定困难类别",
    "archives.close": "撤档",
    "archives.reopen": "恢复在档",
    "archives.review": "年度复核",
    "archives.monthly_income": "记录月人均净收入",
    "archives.member.add": "添加家庭成员",
    "archives.member.update": "修改家庭成员",
    "archives.member.remove": "移除家庭成员",
    "archives.attachment_upload": "上传附件",
    "archives.attachment_withdraw": "撤回附件",
    "archives.spot_check_draw": "抽取年度抽查",
    "archives.spot_check_result": "记录抽查结果",
    "archives.benefit.add": "登记享受政策待遇",
    "archives.benefit.end": "登记政策待遇结束",
    "archives.benefit_type.create": "新增政策待遇类型",
    "archives.benefit_type.update": "修改政策待遇类型",
    "archives.area.create": "新增低保标准地区",
    "archives.dibao_standard.create": "录入低保标准",
    "archives.dibao_standard.delete": "删除误录的低保标准",
    "archives.minimum_wage.create": "录入最低工资标准",
    "archives.minimum_wage.delete": "删除误录的最低工资标准",
    "archives.reevaluation.dismiss": "重新评估后不变更类别",
    "archives.reevaluation.dismiss_all": "重新评估后全部不变更类别",
    "archives.roster.export": "导出花名册",
    "archives.procedure.apply": "提交建档申请",
    "archives.procedure.resubmit": "退回后重新提交",
    "archives.procedure.consent": "记录知情同意",
    "archives.procedure.investigation": "记录入户调查",
    "archives.procedure.review": "记录民主评议",
    "archives.procedure.notice": "开始公示",
    "archives.procedure.submit": "提交审批",
    "archives.procedure.decide": "审批",
}


def test_every_name_ever_written_reads_as_words_and_maps_to_a_declared_action():
    declared = {member.value for member in audit_actions.registered()}
    for code, label in NAMES_BEFORE_THE_ENUMS.items():
        assert audit_actions.action_label(code) == label, code
        assert audit_actions.canonical(code) in declared, code


def test_every_declared_action_is_named_after_its_context_and_labelled():
    actions = audit_actions.registered()
    assert len(actions) >= 60
    for member in actions:
        context = context_of_module(type(member).__module__)
        assert ACTION_PATTERN.match(member.value), member.value
        assert member.value.split(".")[0] == context, member.value
        assert str(member.label) and str(member.label) != member.value, member.value
    # Old names are never also present names, and none maps to another old name.
    legacy = audit_actions.legacy_names()
    assert not set(legacy) & {m.value for m in actions}
    assert not set(legacy.values()) & set(legacy)


def test_register_refuses_a_name_of_another_context_or_a_second_declaration():
    with pytest.raises(ValueError, match="is not"):

        @register()
        class WrongAction(AuditAction):  # declared in tests/system: its context is "system"
            X = "archives.household.fly", "飞"

    with pytest.raises(ValueError, match="maps to"):

        @register(legacy={"x.old": "system.thing.missing"})
        class OtherAction(AuditAction):
            Y = "system.thing.do", "做"

    # A refused declaration registers nothing.
    assert audit_actions.action_label("system.thing.do") == "system.thing.do"


def test_codes_for_an_action_include_its_old_names():
    assert audit_actions.codes_for("archives.household.close") == [
        "archives.household.close",
        "archives.close",
    ]
    assert audit_actions.codes_for("archives.close") == [
        "archives.household.close",
        "archives.close",
    ]
    assert audit_actions.old_codes_under("accounts") == ["system.bootstrap"]
    assert audit_actions.context_of("core.calendar_day.delete") == "workbench"
    assert audit_actions.action_label("test.made.up") == "test.made.up"


# --- every write names its action through its context's enum --------------------------------


def _enum_names_by_context() -> dict[str, str]:
    return {
        context_of_module(type(member).__module__): type(member).__name__
        for member in audit_actions.registered()
    }


def _context_of_path(path: Path) -> str:
    parts = path.relative_to(BANGFU).parts
    return parts[1] if parts[0] == "kits" else parts[0]


def _action_argument(call: ast.Call) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "action":
            return keyword.value
    return None


def _names_an_enum_member(node: ast.expr, enum: str) -> bool:
    """`XAction.MEMBER`, `XAction(<a computed name>)` or a conditional of those."""
    if isinstance(node, ast.IfExp):
        return _names_an_enum_member(node.body, enum) and _names_an_enum_member(node.orelse, enum)
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name) and node.value.id == enum
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id == enum
    return False


def _declared_by_the_subjects_context(path: Path, action: ast.expr) -> bool:
    """The workflow kit writes the action of the context that declared the procedure:
    `procedure.audit_action(verb)`, which must return a member of that context's enum (the
    kit checks it when it writes)."""
    return (
        path.relative_to(BANGFU).parts[:2] == ("kits", "workflow")
        and isinstance(action, ast.Call)
        and ast.unparse(action.func) == "procedure.audit_action"
    )


def test_every_audited_write_names_its_action_through_its_contexts_enum():
    enums = _enum_names_by_context()
    calls, wrong = 0, []
    for path in sorted(BANGFU.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ("audit_record", "AuditEntry"):
                continue
            action = _action_argument(node)
            if action is None:  # the definition's own forwarding, if any
                continue
            calls += 1
            context = _context_of_path(path)
            enum = enums.get(context, f"<{context} declares no audit actions>")
            if not _names_an_enum_member(action, enum) and not _declared_by_the_subjects_context(
                path, action
            ):
                where = f"{path.relative_to(BANGFU)}:{node.lineno}"
                wrong.append(f"{where}: {ast.unparse(action)} (expected {enum}.…)")
    assert calls >= 55
    assert "\n".join(wrong) == ""
