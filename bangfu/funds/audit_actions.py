"""The audit actions of the funds context (`<context>.<entity>.<verb>`), with their labels."""

from django.utils.translation import gettext_lazy as _

from bangfu.core.audit_actions import AuditAction, register


@register()
class FundsAction(AuditAction):
    BOOK_OPEN = "funds.book.open", _("建立专户账簿")
    ENTRY_POST = "funds.entry.post", _("记账")
    ENTRY_REVERSE = "funds.entry.reverse", _("冲销凭证")
    PERIOD_CLOSE = "funds.period.close", _("月末结账")
    INCOME_RECORD = "funds.income.record", _("登记收入")
    RECEIPT_VOID = "funds.receipt.void", _("作废捐赠收据")
    BUDGET_SET = "funds.budget.set", _("设定项目预算")
    PAYMENT_PREPARE = "funds.payment.prepare", _("制发放凭证")
    PAYMENT_ATTACH = "funds.payment.attach", _("上传签字凭证")
    PAYMENT_CONFIRM = "funds.payment.confirm", _("确认发放")
    BATCH_CREATE = "funds.batch.create", _("制银行代发批次")
    BATCH_SEND = "funds.batch.send", _("代发文件送银行")
    BATCH_RETURN = "funds.batch.return", _("导入银行回盘")
    STATEMENT_IMPORT = "funds.statement.import", _("导入银行对账单")
    SAMPLE_DRAW = "funds.sample.draw", _("抽取发放抽查样本")
    SAMPLE_CHECK = "funds.sample.check", _("记录发放抽查结果")
    SAMPLE_CLOSE = "funds.sample.close", _("处理抽查不相符")
