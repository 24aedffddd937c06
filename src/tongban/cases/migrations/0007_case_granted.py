from django.db import migrations, models

APPROVALS = ["approve", "approve_immediately", "auto_approve", "approve_by_commitment"]
ENDED_WITHOUT_GRANT = ["refused", "denied", "withdrawn", "cancelled", "revoked"]


def record_outcomes(apps, schema_editor):
    """Cases decided before the field existed: approved ones by their approval event, failed ones by state."""
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(state__in=ENDED_WITHOUT_GRANT).update(granted=False)
    Case.objects.filter(events__action__in=APPROVALS).exclude(state__in=ENDED_WITHOUT_GRANT).update(granted=True)
    Case.objects.filter(state__in=["result_ready", "delivered", "closed"], granted__isnull=True).update(granted=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_bundle_case_idempotency"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="granted",
            field=models.BooleanField(
                blank=True,
                help_text="准予为是；不予受理、不予许可、撤回、终止、撤销为否；未决为空",
                null=True,
                verbose_name="结果",
            ),
        ),
        migrations.RunPython(record_outcomes, migrations.RunPython.noop),
    ]
