"""Simulate a year of matching over the national register under the sourcing policies, print
the comparison, and keep it as a simulation run (docs/planning-simulation.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from apps.core.errors import DomainError
from apps.core.exports import dataset_export
from apps.organisations.models import Organisation
from apps.reporting.choices import RunStatus

from ...choices import SimulationPolicy
from ...services import simulation_run_now
from ...simulation_tables import as_text, run_tables, table_dataset


class Command(BaseCommand):
    help = (
        "Replay a year of children arriving over the national register under each sourcing "
        "policy (sequential in-house first, needs-first, needs-first with weekly batch "
        "assignment), print the measures side by side and keep the run. The same seed gives "
        "the same result. Reads the register; never writes to it."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--policy",
            choices=SimulationPolicy.values,
            default=SimulationPolicy.ALL,
            help="The policy to simulate, or all three side by side (default: all)",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="The seed of the draws (default: 1)"
        )
        parser.add_argument(
            "--rcc", default="", help="An RCC's name: simulate its children only (default: England)"
        )
        parser.add_argument("--csv", default="", help="Also write every figure to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        rcc = None
        if options["rcc"]:
            rcc = Organisation.objects.rccs().filter(name__iexact=options["rcc"].strip()).first()
            if rcc is None:
                names = ", ".join(
                    Organisation.objects.rccs().order_by("name").values_list("name", flat=True)
                )
                raise CommandError(f"--rcc: no RCC called {options['rcc']!r}. RCCs: {names}.")
        show = options["verbosity"] > 0
        bar = tqdm(total=100, desc="Simulating", unit="%", disable=not show, leave=True)

        def report(fraction: float, step: str) -> None:
            bar.set_postfix_str(step[:50])
            bar.update(max(0, int(fraction * 100) - bar.n))

        try:
            run = simulation_run_now(
                policy=options["policy"], seed=options["seed"], rcc=rcc, report=report
            )
        except DomainError as err:
            raise CommandError(f"--{err.field or 'policy'}: {err.message}") from err
        finally:
            bar.close()
        if run.status != RunStatus.DONE:
            raise CommandError(f"Simulation run {run.pk} failed: {run.error}")
        self.stdout.write(
            f"Simulated year for {run.scope_label}, seed {run.seed}: "
            f"{run.inputs['children']:,} children, {run.inputs['homes']:,} homes"
        )
        self.stdout.write(as_text(run.results, run.policies, run.inputs))
        self.stdout.write(f"Kept as simulation run {run.pk}.")
        if options["csv"]:
            table = run_tables(
                run.results, run.policies, run.inputs, scope=run.scope_label, national=rcc is None
            )["sim_results"]
            path = Path(options["csv"])
            path.write_text(dataset_export(table_dataset(table.as_dict()), "csv"), encoding="utf-8")
            self.stdout.write(f"Wrote {path}.")
