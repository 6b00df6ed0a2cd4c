"""The special account's books (帮扶资金专户): double entry per centre and year.

A `Book` holds one centre's accounts for one year. An `Entry` is posted once, balanced
(debits = credits, checked by the service and, per line, by check constraints), hash-chained
within its book (`chain_seq`, `prev_hash`, `hash`: `books.verify_books`), and never edited nor
deleted: the code refuses it (`save`/`delete`) and on PostgreSQL a row-level trigger refuses
UPDATE and DELETE (TRUNCATE, which Django's test flush uses, is left alone). A mistake is
corrected by a reversal entry. Months close (`Period`); nothing is dated into a closed month.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.core.crypto import EncryptedTextField
from bangfu.core.errors import Conflict
from bangfu.core.money import MoneyField


class Book(models.Model):
    unit = models.ForeignKey(
        "network.OrgUnit", verbose_name=_("帮扶中心"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("建账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("专户账簿")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="funds_book_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year}"


class Account(models.Model):
    class Kind(models.TextChoices):
        ASSET = "asset", _("资产")
        LIABILITY = "liability", _("负债")
        NET = "net", _("净资产")
        INCOME = "income", _("收入")
        EXPENSE = "expense", _("支出")

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField(_("科目编码"), max_length=20)
    name = models.CharField(_("科目名称"), max_length=60)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)

    class Meta:
        verbose_name = _("会计科目")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["book", "code"], name="funds_account_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def debit_normal(self) -> bool:
        return self.kind in (self.Kind.ASSET, self.Kind.EXPENSE)


class Period(models.Model):
    """A month of a book; once closed, no entry may be dated in it."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="periods")
    month = models.PositiveSmallIntegerField(_("月份"))
    closed_at = models.DateTimeField(_("结账时间"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("已结账月份")
        constraints = [
            models.UniqueConstraint(fields=["book", "month"], name="funds_period_month"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="funds_period_month_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book} {self.month}月"


class Entry(models.Model):
    """A posted journal entry (记账凭证). Immutable once written."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="entries")
    number = models.PositiveIntegerField(_("凭证号"))
    date = models.DateField(_("记账日期"))
    memo = models.CharField(_("摘要"), max_length=200)
    source = models.CharField(_("来源"), max_length=60, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲销凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_at = models.DateTimeField(_("记账时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by_name = models.CharField(_("记账人"), max_length=150)
    # The book's hash chain: position from 1, the previous entry's hash, this entry's hash.
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("记账凭证")
        ordering = ["book", "number"]
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="funds_entry_number"),
        ]

    def __str__(self) -> str:
        return f"记-{self.number:04d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict(str(_("已记账的凭证不能修改,请做冲销凭证更正。")))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Conflict(str(_("已记账的凭证不能删除,请做冲销凭证更正。")))


class EntryLine(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit = MoneyField(_("借方"), default=0)
    credit = MoneyField(_("贷方"), default=0)

    class Meta:
        verbose_name = _("分录")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0)),
                name="funds_line_one_side_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.debit}/{self.credit}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict(str(_("已记账的凭证不能修改,请做冲销凭证更正。")))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Conflict(str(_("已记账的凭证不能删除,请做冲销凭证更正。")))


class Income(models.Model):
    """Money in: an allocation, a grant from above, a donation, interest or other income."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("财政拨款")
        GRANT = "grant", _("上级补助")
        DONATION = "donation", _("捐赠")
        INTEREST = "interest", _("利息")
        OTHER = "other", _("其他收入")

    class Channel(models.TextChoices):
        TRANSFER = "transfer", _("银行转账")
        CASH = "cash", _("现金")
        ONLINE = "online", _("网上支付")

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="incomes")
    kind = models.CharField(_("收入类别"), max_length=12, choices=Kind.choices)
    amount = MoneyField(_("金额"))
    date = models.DateField(_("到账日期"))
    payer = models.CharField(_("来源单位或捐赠人"), max_length=100)
    channel = models.CharField(
        _("方式"), max_length=12, choices=Channel.choices, default=Channel.TRANSFER
    )
    purpose = models.CharField(_("限定用途"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="income")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收入")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_income_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class DonationReceipt(models.Model):
    """A numbered 捐赠收据: numbers without gaps per centre and year; void ones keep theirs."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="receipts")
    number = models.PositiveIntegerField(_("收据号"))
    income = models.OneToOneField(Income, on_delete=models.PROTECT, related_name="receipt")
    issued_on = models.DateField(_("开具日期"))
    void = models.BooleanField(_("已作废"), default=False)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("捐赠收据")
        ordering = ["book", "number"]
        constraints = [
            models.UniqueConstraint(fields=["book", "number"], name="funds_receipt_number")
        ]

    def __str__(self) -> str:
        return f"{self.book.year}-{self.number:05d}"

    @property
    def display_number(self) -> str:
        return f"JZ{self.book.year}-{self.number:05d}"


class Programme(models.TextChoices):
    """The assistance programmes a budget is set for, each with its spending account."""

    LIVING = "living", _("生活救助")
    MEDICAL = "medical", _("医疗救助")
    EDUCATION = "education", _("助学")
    EMPLOYMENT = "employment", _("就业帮扶")
    OTHER = "other", _("其他帮扶")


# The spending account of each programme in the standard chart.
PROGRAMME_ACCOUNT = {
    Programme.LIVING: "5001",
    Programme.MEDICAL: "5002",
    Programme.EDUCATION: "5003",
    Programme.EMPLOYMENT: "5004",
    Programme.OTHER: "5009",
}


class Budget(models.Model):
    """The budget of one programme in one book (programme-year). Raised or cut by a new
    amount with its reason; the history stays in the audit trail."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="budgets")
    programme = models.CharField(_("帮扶项目"), max_length=12, choices=Programme.choices)
    amount = MoneyField(_("预算金额"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("项目预算")
        ordering = ["book", "programme"]
        constraints = [
            models.UniqueConstraint(fields=["book", "programme"], name="funds_budget_programme"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funds_budget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.book} {self.get_programme_display()}"


class Commitment(models.Model):
    """Money promised to one approved item (已批待发): 借 承诺占用 贷 已批待发 when the item is
    approved; paid or released later. One per item (`subject`)."""

    class Status(models.TextChoices):
        COMMITTED = "committed", _("已批待发")
        PAID = "paid", _("已发放")
        RELEASED = "released", _("已释放")

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="commitments")
    programme = models.CharField(_("帮扶项目"), max_length=12, choices=Programme.choices)
    amount = MoneyField(_("金额"))
    # What the money is for, named without a foreign key so that funds needs no model above it:
    # e.g. ("assistance.item", 42).
    subject_type = models.CharField(max_length=60)
    subject_id = models.PositiveBigIntegerField()
    subject_label = models.CharField(_("事项"), max_length=200)
    household = models.ForeignKey(
        "archives.Household",
        verbose_name=_("档案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_name = models.CharField(_("领款人"), max_length=50)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.COMMITTED
    )
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="commitment")
    created_at = models.DateTimeField(_("承诺时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已批待发")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="funds_commitment_subject"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_commitment_positive"),
        ]
        indexes = [models.Index(fields=["book", "status"], name="funds_commit_book_status")]

    def __str__(self) -> str:
        return f"{self.recipient_name} {self.amount}"


class BankBatch(models.Model):
    """A batch of bank payments (代发): made → file sent → return file imported."""

    class Status(models.TextChoices):
        MADE = "made", _("待发送")
        SENT = "sent", _("已发送银行")
        RETURNED = "returned", _("已导入回盘")

    class Encoding(models.TextChoices):
        GBK = "gbk", _("GBK(多数银行)")
        UTF8 = "utf-8", _("UTF-8")

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="batches")
    number = models.CharField(_("批次号"), max_length=30, unique=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.MADE)
    encoding = models.CharField(
        _("CSV 编码"), max_length=8, choices=Encoding.choices, default=Encoding.GBK
    )
    sent_on = models.DateField(_("发送日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("制单时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("银行代发批次")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class StatementLine(models.Model):
    """One line of the bank's statement (对账单) of a book's special account, as imported on
    the import kit (`funds.bank_statement`); the reconciliation matches these lines to the
    entries on the bank account. Stored once: a line with the same 流水号 (or, without one, the
    same date, amount and balance) is skipped when a statement is imported again."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="statement_lines")
    date = models.DateField(_("交易日期"))
    amount = MoneyField(_("发生额"))  # positive: money in; negative: money out
    balance = MoneyField(_("余额"), null=True, blank=True)
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    counterparty = models.CharField(_("对方户名"), max_length=200, blank=True)
    serial = models.CharField(_("流水号"), max_length=64, blank=True)
    row = models.PositiveIntegerField(_("文件行号"))
    import_batch = models.UUIDField(_("导入批次"), null=True, blank=True)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("银行对账单行")
        verbose_name_plural = _("银行对账单行")
        ordering = ["book", "date", "pk"]
        indexes = [
            models.Index(fields=["book", "date"], name="funds_statement_book_date"),
            models.Index(
                fields=["book", "date", "amount", "balance"], name="funds_statement_same_line"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "serial"],
                condition=~models.Q(serial=""),
                name="funds_statement_serial_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount}"


class Payment(models.Model):
    """One payment of one commitment to one recipient, in person (a signed 发放凭证) or by bank.

    At most one payment of a commitment is open or paid at any time (a partial unique
    constraint): a second click on "pay" finds it and pays nothing. What was paid stays as it
    was: `snapshot` keeps household, category, amount, rule and notice as they were; the card
    number is kept encrypted apart (`card`)."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("现场发放")
        BANK = "bank", _("银行代发")

    class Status(models.TextChoices):
        PREPARED = "prepared", _("待签字")
        SENT = "sent", _("银行处理中")
        PAID = "paid", _("已发放")
        FAILED = "failed", _("发放失败")
        CANCELLED = "cancelled", _("已取消")

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="payments")
    batch = models.ForeignKey(
        BankBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    number = models.CharField(_("发放凭证号"), max_length=30, unique=True)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    method = models.CharField(_("发放方式"), max_length=12, choices=Method.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PREPARED
    )
    amount = MoneyField(_("金额"))
    recipient_name = models.CharField(_("领款人"), max_length=50)
    signer_name = models.CharField(_("签领人"), max_length=50, blank=True)
    signer_relation = models.CharField(_("与户主关系"), max_length=20, blank=True)
    snapshot = models.JSONField(_("发放时的信息"), default=dict)
    card = EncryptedTextField(_("银行卡号"), blank=True)
    scan = models.FileField(_("签字凭证扫描件"), upload_to="funds/slips/%Y/", blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    entry = models.OneToOneField(
        Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    created_at = models.DateTimeField(_("制单时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("发放")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment"],
                condition=Q(status__in=["prepared", "sent", "paid"]),
                name="funds_payment_one_open",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_payment_positive"),
        ]

    def __str__(self) -> str:
        return self.number


class Sample(models.Model):
    """A random sample of the recipients paid from a book, drawn for checks by visit or phone
    (抽查). Its size comes from a confidence level and a margin of error (settings); the seed
    is recorded, so the same seed over the same payments draws the same sample."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="samples")
    drawn_on = models.DateField(_("抽样日期"))
    seed = models.BigIntegerField(_("随机种子"))
    confidence = models.DecimalField(_("置信水平"), max_digits=4, decimal_places=3)
    margin = models.DecimalField(_("允许误差"), max_digits=4, decimal_places=3)
    population = models.PositiveIntegerField(_("已发放笔数"))
    size = models.PositiveIntegerField(_("样本量"))
    created_at = models.DateTimeField(_("抽样时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("发放抽查")
        ordering = ["-drawn_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.book} 抽查 {self.drawn_on}"


class SampleCheck(models.Model):
    """One sampled payment and its check: by visit or phone, matching or not."""

    class Method(models.TextChoices):
        VISIT = "visit", _("入户核查")
        PHONE = "phone", _("电话核查")

    class Outcome(models.TextChoices):
        MATCH = "match", _("相符")
        MISMATCH = "mismatch", _("不相符")

    sample = models.ForeignKey(Sample, on_delete=models.PROTECT, related_name="checks")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="checks")
    method = models.CharField(_("核查方式"), max_length=8, choices=Method.choices, blank=True)
    checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    outcome = models.CharField(_("核查结果"), max_length=10, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("核查情况"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A mismatch is closed once, with what was done (处理结果), by finance or a leader.
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("抽查记录")
        ordering = ["sample", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "payment"], name="funds_check_once"),
            # A payment is sampled once: two draws at once can never both take it.
            models.UniqueConstraint(fields=["payment"], name="funds_check_payment_once"),
        ]
        indexes = [models.Index(fields=["outcome"], name="funds_check_outcome")]

    def __str__(self) -> str:
        return f"{self.sample} {self.payment}"
