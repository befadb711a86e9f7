"""Check the demand forecast against Social Finance's reference implementation (make
validate-demand).

    python scripts/validate_demand.py --reference-python .venv-demand/bin/python --out .data/demand

1. Makes a synthetic set of SSDA903 episodes, several LAs' worth (`generate`: children entering
   care at the DfE's mix of ages, moving between placements with the mix of placement types
   each age has, leaving care or turning 18, some coming back; with a few same-day duplicates
   and overlapping episodes, as real files have, for the cleaning to deal with), and writes
   them as one Header and one Episodes CSV.
2. Runs cs-demand-model 0.5.1 on them (scripts/demand_reference.py, in its own virtualenv:
   PopulationStats, then ModelPredictor.from_model over the reference window and 365 daily
   steps).
3. Runs the platform's forecast (apps/planning/demand.py) on the same files and window.
4. Compares every age band × placement category 12 months on: within 5%; a cell where both
   project under one child is compared absolutely (within 0.05 of a child) and marked so.
   Prints the table; exits 1 on any miss.

The reference window is the two years to the last date in the files (the forecast's own
window: two years to today).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
TOLERANCE = 0.05  # relative, per cell
ABSOLUTE = 0.05  # children, for cells where both sides project under one child
HORIZON = 365
TODAY = dt.date(2026, 3, 31)

# Age on entry into care (years from, to, weight): many under 1s and 10 to 15s.
ENTRY_AGES = ((0, 1, 20), (1, 5, 14), (5, 10, 17), (10, 16, 38), (16, 18, 11))
# PLACE codes by age (up to, [(code, weight)]): fostering mostly U4/U6; residential for older
# children; supported living from 16; other (placed with parents, secure, hospital…) throughout.
PLACES = (
    (5, (("U4", 30), ("U6", 35), ("U1", 10), ("U3", 8), ("U5", 5), ("P1", 8), ("Z1", 4))),
    (
        10,
        (
            ("U4", 32),
            ("U6", 30),
            ("U1", 8),
            ("U3", 7),
            ("K2", 8),
            ("R1", 2),
            ("P1", 9),
            ("Z1", 4),
        ),
    ),
    (
        16,
        (
            ("U4", 25),
            ("U6", 27),
            ("U1", 6),
            ("U3", 5),
            ("K2", 20),
            ("R1", 4),
            ("P1", 6),
            ("K1", 2),
            ("Z1", 5),
        ),
    ),
    (
        99,
        (
            ("U4", 16),
            ("U6", 20),
            ("U3", 4),
            ("K2", 16),
            ("R1", 3),
            ("H5", 16),
            ("P2", 15),
            ("P1", 5),
            ("Z1", 5),
        ),
    ),
)
# Mean days a placement lasts, by the first letter of its PLACE.
STAY_DAYS = {"U": 520, "K": 330, "R": 330, "H": 300, "P": 260, "Z": 200}


def _dmy(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _pick(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o[0] for o in options], weights=[o[1] for o in options])[0]


def _place_for(rng: random.Random, age: float) -> str:
    for up_to, options in PLACES:
        if age < up_to:
            return _pick(rng, options)
    return _pick(rng, PLACES[-1][1])


def generate(
    *, seed: int = 2026, las: int = 6, children: int = 900, today: dt.date = TODAY, years: int = 7
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Header and Episodes rows for `las` LAs of about `children` children each who entered care
    in the `years` years to `today`. Deterministic for a seed."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible for a seed
    header: list[dict[str, str]] = []
    episodes: list[dict[str, str]] = []
    for la in range(las):
        for number in range(int(children * rng.uniform(0.6, 1.4))):
            child = f"{la + 1}{number:05d}"
            entered = today - dt.timedelta(days=rng.randint(0, years * 365))
            low, high, _ = rng.choices(ENTRY_AGES, weights=[a[2] for a in ENTRY_AGES])[0]
            dob = entered - dt.timedelta(days=int(rng.uniform(low, high) * 365.25))
            eighteen = (
                dob.replace(year=dob.year + 18)
                if (dob.month, dob.day) != (2, 29)
                else (dt.date(dob.year + 18, 3, 1))
            )
            rows = _child_episodes(rng, child, dob, entered, eighteen, today)
            if not rows:
                continue
            header.append(
                {
                    "CHILD": child,
                    "SEX": rng.choice("12"),
                    "DOB": _dmy(dob),
                    "ETHNIC": "WBRI",
                    "UPN": "",
                    "MOTHER": "",
                    "MC_DOB": "",
                }
            )
            episodes.extend(rows)
    return header, episodes


def _child_episodes(
    rng: random.Random,
    child: str,
    dob: dt.date,
    entered: dt.date,
    eighteen: dt.date,
    today: dt.date,
) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    day = entered
    while day < min(eighteen, today + dt.timedelta(days=1)):
        age = (day - dob).days / 365.25
        # Younger children stay longer; everyone leaves by 18.
        spell = int(rng.expovariate(1 / (1400 if age < 10 else 700))) + 1
        leave = min(day + dt.timedelta(days=spell), eighteen)
        start = day
        while start < leave and start <= today:
            age = (start - dob).days / 365.25
            place = _place_for(rng, age)
            length = int(rng.expovariate(1 / STAY_DAYS[place[0]])) + 1
            end = min(start + dt.timedelta(days=length), leave)
            rows.append(_row(child, start, end if end <= today else None, place))
            roll = rng.random()
            if roll < 0.01 and end <= today:
                # A same-day duplicate (the reference keeps the one ending last).
                shorter = start + dt.timedelta(days=max(1, (end - start).days // 2))
                rows.append(_row(child, start, shorter, place))
            elif roll < 0.015 and end <= today and end < leave:
                # An episode recorded as running a few days past the next one's start.
                rows[-1]["DEC"] = _dmy(end + dt.timedelta(days=rng.randint(1, 20)))
            start = end
        if leave > today or rng.random() > 0.12:
            break
        day = leave + dt.timedelta(days=rng.randint(30, 600))  # back into care
    return rows


def _row(child: str, start: dt.date, end: dt.date | None, place: str) -> dict[str, str]:
    return {
        "CHILD": child,
        "DECOM": _dmy(start),
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": place,
        "PLACE_PROVIDER": "PR1" if place[0] == "U" else "PR4",
        "DEC": _dmy(end),
        "REC": "E8" if end else "",
        "REASON_PLACE_CHANGE": "",
        "HOME_POST": "",
        "PL_POST": "",
        "URN": "",
    }


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def last_date(episodes: list[dict[str, str]]) -> dt.date:
    days = [
        dt.datetime.strptime(row[key], "%d/%m/%Y").date()
        for row in episodes
        for key in ("DECOM", "DEC")
        if row[key]
    ]
    return max(days)


def ours(
    header: list[dict[str, str]], episodes: list[dict[str, str]], start: dt.date, end: dt.date
) -> dict[tuple[str, str], tuple[float, float]]:
    """(band, category) → (children on `end`, children HORIZON days on)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
    import django

    django.setup()
    from apps.planning.demand import NS, project, state_label
    from apps.planning.episodes import from_903

    projection = project(from_903(header, episodes), start, end, HORIZON)
    now, later = projection.stock(0), projection.stock(HORIZON)
    return {state_label(s): (float(now[s]), float(later[s])) for s in range(NS)}


def reference(
    python: str, folder: Path, start: dt.date, end: dt.date
) -> dict[tuple[str, str], tuple[float, float]]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [
            python,
            str(ROOT / "scripts" / "demand_reference.py"),
            str(folder),
            start.isoformat(),
            end.isoformat(),
            str(HORIZON),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"cs-demand-model failed:\n{done.stderr.strip()}")
    cells = json.loads(done.stdout)["cells"]
    return {(band, cat): (now, later) for band, cat, now, later in cells}


def compare(
    mine: dict[tuple[str, str], tuple[float, float]],
    theirs: dict[tuple[str, str], tuple[float, float]],
) -> tuple[list[str], int]:
    """The printed table and the number of cells that miss."""
    lines = [
        f"{'Age band':<12} {'Placement':<12} {'Today':>8} {'Reference':>10} {'Ours':>10} "
        f"{'Diff':>8}  Result"
    ]
    misses = 0
    worst = 0.0
    for key in sorted(set(mine) | set(theirs), key=_order):
        now = theirs.get(key, mine.get(key, (0.0, 0.0)))[0]
        ref = theirs.get(key, (0.0, 0.0))[1]
        got = mine.get(key, (0.0, 0.0))[1]
        if ref < 1 and got < 1:
            ok = abs(got - ref) <= ABSOLUTE
            diff = f"{got - ref:+.3f}"
            result = "ok (both under 1 child: compared absolutely)" if ok else "MISS (absolute)"
        else:
            rel = abs(got - ref) / max(ref, got)
            ok = rel <= TOLERANCE
            diff = f"{100 * (got - ref) / ref:+.2f}%" if ref else "n/a"
            result = "ok" if ok else "MISS"
        misses += not ok
        worst = max(worst, abs(got - ref))
        lines.append(
            f"{key[0]:<12} {key[1]:<12} {now:>8.1f} {ref:>10.2f} {got:>10.2f} {diff:>8}  {result}"
        )
    lines.append(f"Largest difference in any cell: {worst:.2e} children")
    return lines, misses


def _order(key: tuple[str, str]) -> tuple[int, int, str]:
    from apps.planning.demand import AGE_BANDS, CATEGORIES

    band = AGE_BANDS.index(key[0]) if key[0] in AGE_BANDS else len(AGE_BANDS)
    category = CATEGORIES.index(key[1]) if key[1] in CATEGORIES else len(CATEGORIES)
    return band, category, key[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference-python", required=True, help="the .venv-demand interpreter")
    parser.add_argument("--out", default=str(ROOT / ".data" / "demand"), help="folder for files")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--las", type=int, default=6)
    parser.add_argument("--children", type=int, default=900, help="children per LA, about")
    args = parser.parse_args()

    header, episodes = generate(seed=args.seed, las=args.las, children=args.children)
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    write_csv(folder / "header.csv", HEADER_COLUMNS, header)
    write_csv(folder / "episodes.csv", EPISODE_COLUMNS, episodes)
    end = last_date(episodes)
    start = end.replace(year=end.year - 2) + dt.timedelta(days=1)
    print(
        f"{len(header)} children, {len(episodes)} episodes in {args.las} LAs; reference window "
        f"{start} to {end}; projected {HORIZON} days on with cs-demand-model 0.5.1 and ours"
    )
    theirs = reference(args.reference_python, folder, start, end)
    mine = ours(header, episodes, start, end)
    lines, misses = compare(mine, theirs)
    print("\n".join(lines))
    if misses:
        print(f"{misses} cell(s) differ from cs-demand-model by more than 5%")
        raise SystemExit(1)
    print(f"Every cell within 5% of cs-demand-model ({len(lines) - 2} cells)")


if __name__ == "__main__":
    main()
