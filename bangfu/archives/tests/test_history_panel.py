import pytest
from django.db import transaction

from bangfu.archives.panels.history import history_entries
from bangfu.archives.tests.factories import make_household
from bangfu.core.audit import audit_record
from bangfu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_creation_is_folded_and_members_read_as_names_with_relations(network, staff):
    household = make_household(network.station_a, filed_by=staff)
    with transaction.atomic():
        audit_record(
            actor=staff,
            action="archives.household.create",
            obj=household,
            summary="新建档案",
            changes={
                "name": [None, "张三"],
                "members": [
                    None,
                    [
                        {"name": "李梅", "relation": "spouse", "id_number": "430302********0021"},
                        {"name": "张小花", "relation": "daughter"},
                    ],
                ],
            },
        )
        audit_record(
            actor=staff,
            action="archives.household.update",
            obj=household,
            summary="修改档案",
            changes={"address": ["旧址", "新址"]},
        )

    created, updated = history_entries(AuditEvent.objects.order_by("seq"))

    assert created.is_creation and not updated.is_creation
    assert [(c.label, c.after) for c in created.changes] == [
        ("姓名", "张三"),
        ("家庭成员", "李梅(配偶)、张小花(女儿)"),
    ]
    assert [(c.label, c.before, c.after) for c in updated.changes] == [("家庭住址", "旧址", "新址")]


def test_keys_of_the_procedure_and_dynamic_records_read_as_chinese_labels_and_words(network, staff):
    # Given events the procedure, dynamic and member services write on the archive
    household = make_household(network.station_a, filed_by=staff)
    with transaction.atomic():
        for action, changes in [
            ("archives.procedure.investigation", {"visitors": [None, "张伟、李娜"],
                                                   "recommendation": [None, "agree"]}),
            ("archives.procedure.submit", {"approval_unit": [None, "响水乡职工服务(帮扶)中心"]}),
            ("archives.procedure.decide", {"outcome": [None, "approved"]}),
            ("archives.review", {"outcome": [None, "continue"]}),
            ("archives.monthly_income", {"net_income_per_capita": [None, "650.00"]}),
            ("archives.reopen", {"reason": [None, "收入再次低于低保标准。"]}),
            ("archives.member.add", {"members[38].relation": [None, "son"]}),
        ]:  # fmt: skip
            audit_record(actor=staff, action=action, obj=household, summary="…", changes=changes)

    # When the history is shown
    entries = history_entries(AuditEvent.objects.order_by("seq"))

    # Then no key is shown raw, and codes read as words
    assert [[(c.label, c.after) for c in e.changes] for e in entries] == [
        [("调查人员", "张伟、李娜"), ("调查意见", "情况属实,建议建档")],
        [("审批单位", "响水乡职工服务(帮扶)中心")],
        [("审批结果", "批准建档")],
        [("复核结论", "继续在档")],
        [("月人均净收入", "650.00")],
        [("原因", "收入再次低于低保标准。")],
        [("家庭成员·与户主关系", "儿子")],
    ]
