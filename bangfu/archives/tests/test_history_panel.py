import pytest
from django.db import transaction

from bangfu.archives.panels_history import history_entries
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
