"""Synthetic SSDA903 Header and Episodes files that an LA's case system could have written.

For tests, the import benchmark and the demo: every child's episodes are a valid sequence —
a first episode that starts care (RNE S), moves on the same day (the episode before ends X1
with a reason for the placement change; RNE T, P, B or U), changes of legal status alone
(RNE L), a spell out of care (an E-code, a gap, then RNE S again), and a last episode that is
still open or ends with the child leaving care. Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS

FALLBACK_POSTCODES = ("M14 5AB", "M20 2RN", "SK4 1AA", "OL1 1AA", "BL1 1AA", "WN1 1AA")
LEAVING_CARE = ("E13", "E4A", "E4B", "E41", "E45", "E11", "E5", "E8")
PLACE_CHANGE = ("CARPL", "CHILD", "LAREQ", "PLACE", "CREQO", "STAND")
START_LS = ("C1", "V2", "L1", "L2", "J1")
LATER_LS = ("C2", "E1", "V2", "C1")
ETHNIC = ("WBRI", "WBRI", "WBRI", "MWBC", "AOTH", "BAFR", "APKN", "WOTH", "MOTH", "BCRB")
PLACEMENTS = (
    # (PLACE, PLACE_PROVIDER, has an Ofsted URN)
    ("U4", "PR1", True),
    ("U6", "PR1", True),
    ("U6", "PR4", True),
    ("U4", "PR4", True),
    ("U6", "PR5", True),
    ("U3", "PR1", True),
    ("U1", "PR1", True),
    ("K2", "PR4", True),
    ("R1", "PR0", False),
    ("P1", "PR0", False),
)


@dataclass
class Synthetic903:
    header: list[dict[str, str]]
    episodes: list[dict[str, str]]

    def header_csv(self) -> bytes:
        return rows_csv(self.header, HEADER_COLUMNS)

    def episodes_csv(self) -> bytes:
        return rows_csv(self.episodes, EPISODE_COLUMNS)

    def header_xlsx(self) -> bytes:
        return rows_xlsx(self.header, HEADER_COLUMNS, "Header")

    def episodes_xlsx(self) -> bytes:
        return rows_xlsx(self.episodes, EPISODE_COLUMNS, "Episodes")


def rows_csv(rows: Sequence[dict[str, str]], columns: Sequence[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def rows_xlsx(rows: Sequence[dict[str, str]], columns: Sequence[str], sheet: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(list(columns))
    for row in rows:
        ws.append([row.get(c, "") for c in columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sample_postcodes(limit: int = 400) -> list[str]:
    """Real postcodes from the shipped sample (data/reference/postcodes.csv), else a few."""
    from django.conf import settings

    path = Path(settings.BASE_DIR) / "data" / "reference" / "postcodes.csv"
    if not path.exists():
        return list(FALLBACK_POSTCODES)
    with path.open(newline="", encoding="utf-8") as handle:
        codes = [row["postcode"] for row in csv.DictReader(handle)]
    return codes[:: max(1, len(codes) // limit)] or list(FALLBACK_POSTCODES)


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def generate(
    *,
    children: int,
    episodes: int,
    seed: int = 903,
    prefix: str = "S",
    until: dt.date | None = None,
    postcodes: Sequence[str] | None = None,
) -> Synthetic903:
    """`children` children with `episodes` episodes in all (at least one each), ending by
    `until` (default: today). CHILD is `prefix` and a number, at most 10 characters."""
    if episodes < children:
        raise ValueError("Every child needs at least one episode.")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    until = until or dt.date.today()
    posts = list(postcodes or sample_postcodes())
    counts = [1] * children
    for _ in range(episodes - children):
        counts[rng.randrange(children)] += 1
    width = max(6, len(str(children)))
    header: list[dict[str, str]] = []
    rows: list[dict[str, str]] = []
    for n, count in enumerate(counts, start=1):
        ident = f"{prefix}{n:0{width}d}"[:10]
        lengths = [rng.randint(14, 300) for _ in range(count)]
        # How each episode after the first begins: a same-day move, a change of legal
        # status alone, or a new period of care after a spell at home.
        kinds = [rng.choices(("move", "ls", "gap"), (70, 20, 10))[0] for _ in range(count - 1)]
        gaps = [rng.randint(10, 120) if k == "gap" else 0 for k in kinds]
        still_open = rng.random() < 0.6
        span = sum(lengths) + sum(gaps)
        first = until - dt.timedelta(days=span + rng.randint(1, 200))
        dob = first - dt.timedelta(days=rng.randint(30, 365 * 16))
        header.append(
            {
                "CHILD": ident,
                "SEX": rng.choice("MF"),
                "DOB": _dmy(dob),
                "ETHNIC": rng.choice(ETHNIC),
                "UPN": "",
                "MOTHER": "",
                "MC_DOB": "",
            }
        )
        home = rng.choice(posts)
        ls = rng.choice(START_LS)
        place, provider, has_urn = rng.choice(PLACEMENTS)
        urn = f"SC{rng.randint(100000, 999999)}" if has_urn else ""
        pl_post = rng.choice(posts)
        start = first
        rne = "S"
        for i in range(count):
            end = start + dt.timedelta(days=lengths[i])
            last = i == count - 1
            row = {
                "CHILD": ident,
                "DECOM": _dmy(start),
                "RNE": rne,
                "LS": ls,
                "CIN": rng.choice(("N1", "N1", "N2", "N4", "N5", "N8")),
                "PLACE": place,
                "PLACE_PROVIDER": provider,
                "DEC": "",
                "REC": "",
                "REASON_PLACE_CHANGE": "",
                "HOME_POST": home,
                "PL_POST": pl_post,
                "URN": urn,
            }
            rows.append(row)
            if last:
                if not still_open:
                    row["DEC"], row["REC"] = _dmy(end), rng.choice(LEAVING_CARE)
                break
            kind = kinds[i]
            row["DEC"] = _dmy(end)
            if kind == "gap":
                row["REC"] = rng.choice(LEAVING_CARE)
                start = end + dt.timedelta(days=gaps[i])
                rne, ls = "S", rng.choice(START_LS)
                place, provider, has_urn = rng.choice(PLACEMENTS)
                urn = f"SC{rng.randint(100000, 999999)}" if has_urn else ""
                pl_post = rng.choice(posts)
                continue
            row["REC"] = "X1"
            start = end
            if kind == "ls":
                rne = "L"
                ls = rng.choice([x for x in LATER_LS if x != ls])
                continue
            row["REASON_PLACE_CHANGE"] = rng.choice(PLACE_CHANGE)
            same_carer = rng.random() < 0.2
            new_ls = rng.random() < 0.25
            if new_ls:
                ls = rng.choice([x for x in LATER_LS if x != ls])
            rne = {(True, False): "P", (True, True): "B", (False, False): "T", (False, True): "U"}[
                (same_carer, new_ls)
            ]
            if not same_carer:
                place, provider, has_urn = rng.choice(PLACEMENTS)
                urn = f"SC{rng.randint(100000, 999999)}" if has_urn else ""
                pl_post = rng.choice(posts)
    return Synthetic903(header=header, episodes=rows)


def _parse_dmy(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None


def year_file(files: Synthetic903, year: int, today: dt.date) -> Synthetic903:
    """The LA's file for the collection year starting 1 April `year`, as its case system would
    write it on `today`: the episodes open at some time in the year (to 31 March, or today while
    the year runs), an episode that ends after that written as still open, and the Header rows
    of the children in it."""
    start, end = dt.date(year, 4, 1), min(dt.date(year + 1, 3, 31), today)
    episodes = []
    for row in files.episodes:
        decom, dec = _parse_dmy(row["DECOM"]), _parse_dmy(row["DEC"])
        if decom is None or decom > end or (dec is not None and dec < start):
            continue
        if dec is not None and dec > end:
            row = {**row, "DEC": "", "REC": "", "REASON_PLACE_CHANGE": ""}
        episodes.append(row)
    episodes.sort(key=lambda r: (r["CHILD"], _parse_dmy(r["DECOM"])))
    in_file = {r["CHILD"] for r in episodes}
    header = sorted((h for h in files.header if h["CHILD"] in in_file), key=lambda h: h["CHILD"])
    return Synthetic903(header=header, episodes=episodes)
