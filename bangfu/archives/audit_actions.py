"""The audited actions of archives (see `bangfu.core.audit_actions`)."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register
from bangfu.core.labels import register_value_words

from . import rules


@register(
    legacy={
        "archives.close": "archives.household.close",
        "archives.reopen": "archives.household.reopen",
        "archives.review": "archives.annual_review.record",
        "archives.monthly_income": "archives.monthly_income.record",
        "archives.attachment_upload": "archives.attachment.upload",
        "archives.attachment_withdraw": "archives.attachment.withdraw",
        "archives.spot_check_draw": "archives.spot_check.draw",
        "archives.spot_check_result": "archives.spot_check_item.record",
    }
)
class ArchivesAction(AuditAction):
    HOUSEHOLD_CREATE = "archives.household.create", _("新建档案")
    HOUSEHOLD_UPDATE = "archives.household.update", _("修改档案")
    HOUSEHOLD_DETERMINE = "archives.household.determine", _("认定困难类别")
    HOUSEHOLD_CLOSE = "archives.household.close", _("撤档")
    HOUSEHOLD_REOPEN = "archives.household.reopen", _("恢复在档")
    HOUSEHOLD_IMPORT_COMPLETE = "archives.household.import_complete", _("导入档案资料已补全")
    MEMBER_ADD = "archives.member.add", _("添加家庭成员")
    MEMBER_UPDATE = "archives.member.update", _("修改家庭成员")
    MEMBER_REMOVE = "archives.member.remove", _("移除家庭成员")
    ATTACHMENT_UPLOAD = "archives.attachment.upload", _("上传附件")
    ATTACHMENT_WITHDRAW = "archives.attachment.withdraw", _("撤回附件")
    ANNUAL_REVIEW_RECORD = "archives.annual_review.record", _("年度复核")
    MONTHLY_INCOME_RECORD = "archives.monthly_income.record", _("记录月人均净收入")
    SPOT_CHECK_DRAW = "archives.spot_check.draw", _("抽取年度抽查")
    SPOT_CHECK_ITEM_RECORD = "archives.spot_check_item.record", _("记录抽查结果")
    BENEFIT_ADD = "archives.benefit.add", _("登记享受政策待遇")
    BENEFIT_END = "archives.benefit.end", _("登记政策待遇结束")
    BENEFIT_TYPE_CREATE = "archives.benefit_type.create", _("新增政策待遇类型")
    BENEFIT_TYPE_UPDATE = "archives.benefit_type.update", _("修改政策待遇类型")
    AREA_CREATE = "archives.area.create", _("新增低保标准地区")
    DIBAO_STANDARD_CREATE = "archives.dibao_standard.create", _("录入低保标准")
    DIBAO_STANDARD_DELETE = "archives.dibao_standard.delete", _("删除误录的低保标准")
    MINIMUM_WAGE_CREATE = "archives.minimum_wage.create", _("录入最低工资标准")
    MINIMUM_WAGE_DELETE = "archives.minimum_wage.delete", _("删除误录的最低工资标准")
    REEVALUATION_DISMISS = "archives.reevaluation.dismiss", _("重新评估后不变更类别")
    REEVALUATION_DISMISS_ALL = "archives.reevaluation.dismiss_all", _("重新评估后全部不变更类别")
    ROSTER_EXPORT = "archives.roster.export", _("导出花名册")
    # The filing procedure (its steps are named as the procedure writes them).
    PROCEDURE_APPLY = "archives.procedure.apply", _("提交建档申请")
    PROCEDURE_RESUBMIT = "archives.procedure.resubmit", _("退回后重新提交")
    PROCEDURE_CONSENT = "archives.procedure.consent", _("记录知情同意")
    PROCEDURE_INVESTIGATION = "archives.procedure.investigation", _("记录入户调查")
    PROCEDURE_REVIEW = "archives.procedure.review", _("记录民主评议")
    PROCEDURE_NOTICE = "archives.procedure.notice", _("开始公示")
    PROCEDURE_SUBMIT = "archives.procedure.submit", _("提交审批")
    PROCEDURE_DECIDE = "archives.procedure.decide", _("审批")


# Rule versions are stored as codes ("acftu-2021"); the trail and the pages show their names.
for _object_type in ("archives.household", "archives.determination"):
    register_value_words(
        _object_type,
        "rule_version",
        {version: _(label) for version, label in rules.RULE_LABELS.items()},
    )
