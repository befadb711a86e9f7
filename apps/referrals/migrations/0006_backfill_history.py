"""Backfill what the SSDA903 export reads: each child's legal status as a history row (from the
start of its first placement, else the day the record was made) and each placement's Ofsted URN
as at booking (the IPA's, else the provider's)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Child = apps.get_model("referrals", "Child")
    Placement = apps.get_model("referrals", "Placement")
    LegalStatusChange = apps.get_model("referrals", "LegalStatusChange")
    first_start = {}
    for child_id, start in Placement.objects.order_by("start_date").values_list(
        "child_id", "start_date"
    ):
        first_start.setdefault(child_id, start)
    rows = [
        LegalStatusChange(
            child_id=pk,
            legal_status=status,
            start_date=first_start.get(pk) or created.date(),
            source="recorded",
        )
        for pk, status, created in Child.objects.exclude(legal_status="").values_list(
            "pk", "legal_status", "created_at"
        )
    ]
    LegalStatusChange.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    updates = []
    for placement in Placement.objects.filter(provider_urn="").select_related(
        "agreement", "provider__organisation"
    ):
        agreement = getattr(placement, "agreement", None)
        urn = (
            agreement.provider_urn if agreement else ""
        ) or placement.provider.organisation.ofsted_urn
        if urn:
            placement.provider_urn = urn
            updates.append(placement)
    Placement.objects.bulk_update(updates, ["provider_urn"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0005_ssda903_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
