"""Chains for the audit trail and the access log, and the key fingerprints table.

Audit events written so far become chain 0 at the position of their number: their hashes stay
valid (`audit.event_payload` implies chain 0 and chain_seq = seq). Access-log entries written
so far are chained in the order they were written, hashed under the audit key configured when
this migration runs.
"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def chain_existing_rows(apps, schema_editor):
    from bangfu.core.access import ACCESS_LOG, entry_payload
    from bangfu.core.chain import GENESIS_HASH, keyed_hash

    AuditEvent = apps.get_model("core", "AuditEvent")
    AccessLog = apps.get_model("core", "AccessLog")
    AuditEvent.objects.update(chain=0, chain_seq=F("seq"))
    prev_hash, position, last_id = GENESIS_HASH, 0, 0
    while True:
        chunk = list(AccessLog.objects.filter(id__gt=last_id).order_by("id")[:2000])
        if not chunk:
            break
        for entry in chunk:
            position += 1
            entry.chain, entry.chain_seq, entry.prev_hash = 0, position, prev_hash
            entry.hash = keyed_hash(entry_payload(entry), domain=ACCESS_LOG.hash_domain)
            prev_hash = entry.hash
        AccessLog.objects.bulk_update(chunk, ["chain", "chain_seq", "prev_hash", "hash"])
        last_id = chunk[-1].id


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_calendarday"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="链"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain_seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="链内序号"),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="created_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="时间"
            ),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="链"),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="chain_seq",
            field=models.PositiveBigIntegerField(null=True, verbose_name="链内序号"),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="前一记录哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accesslog",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="chain_seq",
            field=models.PositiveBigIntegerField(verbose_name="链内序号"),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="chain_seq",
            field=models.PositiveBigIntegerField(verbose_name="链内序号"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "chain_seq"), name="core_auditevent_link"
            ),
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.UniqueConstraint(
                fields=("chain", "chain_seq"), name="core_accesslog_link"
            ),
        ),
        migrations.CreateModel(
            name="KeyFingerprint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("field", "敏感字段加密密钥"),
                            ("blind_index", "查找索引密钥"),
                            ("audit", "审计链密钥"),
                        ],
                        max_length=16,
                        verbose_name="用途",
                    ),
                ),
                ("fingerprint", models.CharField(max_length=64, verbose_name="指纹")),
                ("key_id", models.CharField(blank=True, max_length=16, verbose_name="密钥编号")),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="登记时间"
                    ),
                ),
                ("retired_at", models.DateTimeField(blank=True, null=True, verbose_name="停用时间")),
            ],
            options={
                "verbose_name": "密钥指纹",
                "verbose_name_plural": "密钥指纹",
                "ordering": ["purpose", "created_at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("purpose", "fingerprint"), name="core_key_once"
                    )
                ],
            },
        ),
    ]
