import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.accounts.seeding import DEMO_PASSWORD, seed_demo_users, seed_second_rcc_users
from apps.contracts.seeding import seed_contracts
from apps.monitoring.seeding import seed_monitoring
from apps.organisations.kinds import Region
from apps.organisations.seeding import seed_demo_organisations
from apps.planning.seeding import seed_planning_cohort
from apps.providers.seeding import NATIONAL_HOUSEHOLDS, SCALES, register_seed
from apps.referrals.seeding import seed_demo_referrals
from apps.reporting.seeding import seed_reports


class Command(BaseCommand):
    help = (
        "Build a synthetic, deterministic dataset and print one demo login per role. "
        "Safe to re-run: nothing is duplicated."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="demo",
            help=(
                "demo: the North West's two RCCs (Greater Manchester's and the rest of the region) "
                "and their neighbours, thinned to under a thousand households (fast); "
                "region: every RCC of one region (see --region); "
                "national: all 153 LAs in RCCs, 465 providers, ~42,000 households"
            ),
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026)")
        parser.add_argument(
            "--region",
            choices=Region.values,
            default=Region.NORTH_WEST,
            help="The region --scale region builds (default North West)",
        )
        parser.add_argument(
            "--households",
            type=int,
            default=NATIONAL_HOUSEHOLDS,
            help=f"Households in all England, scaled to the area (default {NATIONAL_HOUSEHOLDS:,})",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if options["households"] < 1:
            raise CommandError("--households must be at least 1")
        started = time.monotonic()
        call_command("load_reference", verbosity=0)
        with transaction.atomic():
            orgs = seed_demo_organisations()
            logins = seed_demo_users(orgs)
            try:
                summary = register_seed(
                    scale=options["scale"],
                    seed=options["seed"],
                    households=options["households"],
                    region=options["region"],
                    progress=options["verbosity"] > 0,
                )
            except ValueError as err:
                raise CommandError(str(err)) from err
            # The second RCC exists once the register seed has made every RCC of the area.
            logins += seed_second_rcc_users()
            contracts = seed_contracts(scale=options["scale"], seed=options["seed"])
            referrals = seed_demo_referrals()
            monitoring = seed_monitoring(scale=options["scale"], seed=options["seed"])
            cohort = seed_planning_cohort(
                scale=options["scale"],
                seed=options["seed"],
                progress=options["verbosity"] > 0,
            )
        if connection.vendor == "postgresql":
            # Fresh planner statistics, so the first searches use the indexes.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        # The reports last, from everything above: dashboards already built for a new user.
        reports = seed_reports()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Seeded scale '{options['scale']}' in {elapsed:.1f} s.")
        )
        present = _in_database()
        lines = [
            *summary.lines(),
            *(contracts.lines() if contracts.frameworks else present["contracts"]),
            *(
                monitoring.lines()
                if monitoring.versions or monitoring.placements or monitoring.feedback
                else [f"{present['monitoring'][0]}; {monitoring.snapshots:,} scorecard rows"]
            ),
            *cohort.lines(),
            *reports.lines(),
            (
                f"Demo referrals: {referrals['children']} children and "
                f"{referrals['referrals']} referrals added; {referrals['reviews']} review "
                f"requests; {referrals['homes']} in-house homes, sent {referrals['targets']} "
                "referrals"
                if any(referrals.values())
                else present["referrals"][0]
            ),
        ]
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.role} — {login.organisation}")


def _in_database() -> dict[str, list[str]]:
    """What a re-run found already there, for the areas it added nothing to: the counts in the
    database, not the zero rows it added."""
    from apps.contracts.models import (
        ContractAlert,
        Enrolment,
        Framework,
        Lot,
        PlacementBudget,
        PriceSchedule,
        SoftBlock,
    )
    from apps.monitoring.models import MonitoringReturn, PlacementFeedback
    from apps.referrals.models import Child, Placement, Referral

    def n(model: Any) -> str:
        return f"{model.objects.count():,}"

    return {
        "contracts": [
            f"Contracts: already present: {n(Framework)} frameworks and DPS, {n(Lot)} lots, "
            f"{n(Enrolment)} enrolments, {n(PriceSchedule)} price schedules",
            f"           {n(SoftBlock)} soft blocks, {n(PlacementBudget)} LA budgets, "
            f"{n(ContractAlert)} alerts",
        ],
        "monitoring": [
            f"Monitoring: already present: {n(MonitoringReturn)} returns, {n(Placement)} "
            f"placements, {n(PlacementFeedback)} feedback reviews",
        ],
        "referrals": [
            f"Demo referrals: already present: {n(Child)} children and {n(Referral)} referrals",
        ],
    }
