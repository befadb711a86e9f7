"""The SSDA903 code lists the platform reads in an LA's Header and Episodes files.

Taken from the DfE's "Children looked after return 2025 to 2026: guidance" (SSDA903), the
lists that Data to Insight's validator checks (rules 101, 103, 143, 144, 145, 146 for the
latest year, 149, 178, 1009). Kept here as data so the importer, the export and the synthetic
files read one list.
"""

from __future__ import annotations

from apps.providers.choices import Ethnicity, Sex

from .choices import EPISODE_CONTINUES, LeftCare, LegalStatus, NewEpisodeReason, ReasonEnded

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = (
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
)  # fmt: skip
#: The columns a file must have: the platform reads these (UPN, MOTHER and MC_DOB are the LA's
#: alone and ignored; an Episodes file without the optional columns reads them as blank).
HEADER_REQUIRED = ("CHILD", "SEX", "DOB", "ETHNIC")
EPISODES_REQUIRED = ("CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC")

#: The DfE's limit on the length of the CHILD identifier.
CHILD_MAX_LENGTH = 10

SEX_CODES = frozenset(Sex.values)  # M, F, U from 2024-25
ETHNIC_CODES = frozenset(Ethnicity.values)
RNE_CODES = frozenset(NewEpisodeReason.values)  # S, L, P, B, T, U
LS_CODES = frozenset(LegalStatus.values)
CIN_CODES = frozenset(f"N{n}" for n in range(1, 9))  # N1–N8
#: PLACE from 2025-26 (Z1 is split into Z11–Z14).
PLACE_CODES = frozenset(
    {
        "A3", "A4", "A5", "A6", "K1", "K2", "K3", "P1", "P3", "R1", "R2", "R3", "R5", "S1",
        "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6",
        "Z11", "Z12", "Z13", "Z14",
    }
)  # fmt: skip
FOSTER_PLACE_CODES = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
#: Settings with no placement provider (PLACE_PROVIDER is left blank).
PLACE_WITHOUT_PROVIDER = frozenset({"T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"})
PLACE_PROVIDER_CODES = frozenset({"PR0", "PR1", "PR2", "PR3", "PR4", "PR5"})
#: REC: the E-codes (the child stopped being looked after) and X1 (another episode follows).
REC_CODES = frozenset({*LeftCare.values, EPISODE_CONTINUES})
REASON_PLACE_CHANGE_CODES = frozenset(ReasonEnded.values)
