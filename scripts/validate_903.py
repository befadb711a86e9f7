"""Export every demo LA's SSDA903 files and judge them with the DfE validator (make validate-903).

    python scripts/validate_903.py --validator-python .venv-903/bin/python \
        --validator ../shared/oracles/ssda903-validator/run.py \
        --out .data/903   # ALLOWED_903 in the environment (the Makefile sets it)

Runs `manage.py export_903` with this interpreter (the project's venv; DATABASE_URL says which
database), then the validator's run.py (in its own venv) on each LA's Header and Episodes for
each collection year, with the LA's GSS code. Prints one line per LA, year and failing rule, and
exits 1 if any rule fails that is not in the allow-list (rules about fields only the LA holds,
one reason each, kept in the Makefile). Rules that crash inside the validator are reported as
not run. Then the round trip: a synthetic LA's files for the last collection year are imported
and exported again (manage.py ssda903_round_trip, rolled back), and the validator's results on
the two must match.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    folder: Path
    info: dict
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)  # rule → (rows, text)
    crashed: list[str] = field(default_factory=list)
    error: str = ""


def read_allowed_text(text: str, source: str) -> dict[str, str]:
    """As read_allowed, from the text of the Makefile's ALLOWED_903 (its environment)."""
    allowed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        code, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{source}:{number}: rule {code} needs a reason")
        allowed[code] = reason.strip()
    return allowed


def validate(
    folder: Path, validator_python: str, validator: str, info: dict | None = None
) -> Result:
    info = info or json.loads((folder / "info.json").read_text(encoding="utf-8"))
    result = Result(folder, info)
    if not info.get("episodes", True):
        return result
    done = subprocess.run(  # noqa: S603 - our own interpreter and script paths
        [
            validator_python,
            validator,
            str(info["collection_year"]),
            info["gss_code"],
            str(folder / "validator"),
            str(folder / "header.csv"),
            str(folder / "episodes.csv"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        result.error = lines[-1] if lines else f"exit {done.returncode}"
        return result
    for line in done.stdout.splitlines():
        if line.startswith("rules="):
            crashed = line.split("crashed=", 1)[1].strip()
            result.crashed = [c.strip(" '\"") for c in crashed.strip("[]").split(",") if c.strip()]
            continue
        parts = line.split("\t")
        if len(parts) == 4 and parts[1].isdigit():
            result.failures[parts[0]] = (int(parts[1]), parts[3])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validator-python", required=True)
    parser.add_argument("--validator", required=True, help="the validator's run.py")
    parser.add_argument(
        "--allowed-env",
        default="ALLOWED_903",
        help="environment variable holding the allow-list, `CODE reason` a line (the Makefile's)",
    )
    parser.add_argument(
        "--no-round-trip", action="store_true", help="skip the import-then-export round trip"
    )
    parser.add_argument("--out", default=".data/903", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get(args.allowed_env, "").strip():
        raise SystemExit(f"${args.allowed_env} is empty: run through `make validate-903`")
    allowed = read_allowed_text(os.environ[args.allowed_env], f"${args.allowed_env}")
    exported = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "export_903", "--out", str(args.out), "-v0"],
        check=False,
    )
    if exported.returncode != 0:
        print("validate-903: the export failed", file=sys.stderr)
        return 1
    folders = sorted(p.parent for p in args.out.glob("*/info.json"))
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(
            pool.map(lambda f: validate(f, args.validator_python, args.validator), folders)
        )
    failed = 0
    allowed_seen: dict[str, int] = {}
    crashed: set[str] = set()
    episodes = children = 0
    for r in results:
        year = r.info["year"]
        label = f"{r.info['dfe_la_code']} {r.info['la']} {year}-{(year + 1) % 100:02d}"
        children += r.info["children"]
        episodes += r.info["episodes"]
        if r.error:
            print(f"FAIL {label}: the validator did not run: {r.error}")
            failed += 1
            continue
        crashed.update(r.crashed)
        for code, (rows, text) in sorted(r.failures.items()):
            if code in allowed:
                allowed_seen[code] = allowed_seen.get(code, 0) + rows
                continue
            print(
                f"FAIL {label}: rule {code}: {rows} rows failing (file of {r.info['children']} "
                f"children, {r.info['episodes']} episodes): {text}"
            )
            failed += 1
    print(
        f"validate-903: {len(results)} file sets ({children} children, {episodes} episodes); "
        f"{failed} rule failures outside the allow-list"
    )
    for code, rows in sorted(allowed_seen.items()):
        print(f"  allowed {code} ({rows} rows): {allowed[code]}")
    if crashed:
        print(f"  not run (crashed inside the validator): {', '.join(sorted(crashed))}")
    if not args.no_round_trip:
        failed += round_trip(args)
    return 1 if failed else 0


def round_trip(args: argparse.Namespace) -> int:
    """Import a synthetic LA's files for a year, export them again: the validator must find
    the same (rule, rows failing) in both. Returns 1 on a difference."""
    folder = args.out / "round-trip"
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "ssda903_round_trip", "--out", str(folder)],
        check=False,
    )
    if done.returncode != 0:
        print("FAIL round trip: the import or the export failed")
        return 1
    info = json.loads((folder / "info.json").read_text(encoding="utf-8"))
    results = {
        side: validate(folder / side, args.validator_python, args.validator, info)
        for side in ("input", "output")
    }
    for side, r in results.items():
        if r.error:
            print(f"FAIL round trip: the validator did not run on the {side}: {r.error}")
            return 1
    went_in = {code: rows for code, (rows, _) in results["input"].failures.items()}
    came_out = {code: rows for code, (rows, _) in results["output"].failures.items()}
    label = (
        f"round trip ({info['la']} {info['year']}-{(info['year'] + 1) % 100:02d}: "
        f"{info['imported_episodes']} episodes of {info['imported_children']} children in, "
        f"{info['exported_episodes']} of {info['exported_children']} out)"
    )
    if went_in != came_out:
        for code in sorted(set(went_in) | set(came_out)):
            if went_in.get(code) != came_out.get(code):
                print(
                    f"FAIL {label}: rule {code}: {went_in.get(code, 0)} rows failing in the "
                    f"imported files, {came_out.get(code, 0)} in the export"
                )
        return 1
    print(f"{label}: the validator's results match ({len(went_in)} rules failing in both)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
