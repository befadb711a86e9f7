"""The transparent weighted score (0 to 100): each factor gives a raw value from 0 to 1; its
points are its share of the RCC's weights times that value, and the points add up to the score.
A factor that does not apply to the referral (distance to school when the child is not keeping
their school) has no share: its weight goes to the others in proportion."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from django.utils import timezone

from apps.providers.choices import LANGUAGES, CareType, OfstedGrade, Religion

from ..choices import Communication, SupportKind
from ..models import MatchingWeights
from .distance import miles, miles_from
from .rules import ProviderType
from .stability import STABILITY_MIN_ENDINGS

if TYPE_CHECKING:
    from .profile import Profile
    from .register import Area, Home
    from .stability import Stability

STAY_CLOSE_LIMIT_MILES = 20.0
REACH_LIMIT_MILES = 20.0  # a place the child must reach: full credit at 0, none at 20 miles
SCHOOL_LIMIT_MILES = 15.0
NEUTRAL = 0.5

FACTORS: tuple[tuple[str, str], ...] = (
    ("needs", "Needs met by the home's skills"),
    ("distance_family", "Distance to family"),
    ("distance_school", "Distance to school"),
    ("identity", "Culture, language and religion"),
    ("stability", "Provider's stability record"),
    ("ofsted", "Provider's Ofsted grade"),
    ("preferences", "Carers' stated preferences"),
    ("stated_needs", "Communication, support, adaptations and places to reach"),
)
FACTOR_CODES = tuple(code for code, _ in FACTORS)
MAX_AGE = 25
OFSTED_VALUE = {
    OfstedGrade.OUTSTANDING: 1.0,
    OfstedGrade.GOOD: 0.8,
    OfstedGrade.REQUIRES_IMPROVEMENT: 0.4,
    OfstedGrade.INADEQUATE: 0.0,
}
UNSTATED_RELIGIONS = frozenset({Religion.NOT_STATED, Religion.NONE, ""})
UNSTATED_ETHNICITIES = frozenset({"REFU", "NOBT", ""})


# --- Carers' stated preferences ----------------------------------------------------------------

AgeBands = tuple[tuple[int, int, str], ...]

_AGE_RANGE = re.compile(r"\b(\d{1,2})\s*(?:-|\u2013|to)\s*(\d{1,2})\b")
_UNDER = re.compile(r"\bunder\s*(\d{1,2})\b")
_OVER = re.compile(r"\bover\s*(\d{1,2})\b")
_WORD_AGES = (
    (re.compile(r"\b(?:bab(?:y|ies)|infants?|toddlers?)\b"), (0, 2), "babies and toddlers"),
    (re.compile(r"\bteen(?:s|agers?)?\b"), (13, 17), "teenagers"),
    (re.compile(r"\bprimary\b"), (4, 11), "primary-age children"),
    (re.compile(r"\bsecondary\b"), (11, 17), "secondary-age children"),
)
_NEGATED = re.compile(r"\b(?:no|not)\s+(?:\w+\s+)?$")
_SIBLINGS = re.compile(r"\bsiblings?\b")


@lru_cache(maxsize=4096)
def read_preferences(text: str) -> tuple[AgeBands, AgeBands, bool]:
    """Age bands the carers say they prefer and say they do not, and whether they mention
    siblings. Deliberately simple and visible: only ages ("5-10", "under 5", "over 12") and a
    few words (babies, toddlers, teenagers, primary, secondary) are read; the rest is for people.
    """
    text = (text or "").lower()
    wanted: list[tuple[int, int, str]] = []
    unwanted: list[tuple[int, int, str]] = []

    def add(start: int, lo: int, hi: int, phrase: str) -> None:
        negated = _NEGATED.search(text[max(0, start - 12) : start])
        (unwanted if negated else wanted).append((lo, hi, phrase))

    for m in _AGE_RANGE.finditer(text):
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo <= hi <= 25:
            add(m.start(), lo, hi, f"ages {lo} to {hi}")
    for m in _UNDER.finditer(text):
        add(m.start(), 0, max(0, int(m.group(1)) - 1), f"under {m.group(1)}")
    for m in _OVER.finditer(text):
        add(m.start(), int(m.group(1)) + 1, 25, f"over {m.group(1)}")
    for pattern, (lo, hi), phrase in _WORD_AGES:
        for m in pattern.finditer(text):
            add(m.start(), lo, hi, phrase)
    return tuple(wanted), tuple(unwanted), bool(_SIBLINGS.search(text))


def age_mask(ages: Iterable[int]) -> int:
    """Ages 0 to 25 as bits of one integer."""
    mask = 0
    for age in ages:
        mask |= 1 << max(0, min(MAX_AGE, int(age)))
    return mask


def band_mask(bands: Iterable[tuple[int, int, str]]) -> int:
    return age_mask(a for lo, hi, _ in bands for a in range(lo, min(hi, MAX_AGE) + 1))


# --- Scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """One factor's part in a score: points = share x raw x 100."""

    factor: str
    label: str
    weight: int
    share: float  # of the applicable weights (0 when the factor does not apply)
    raw: float | None  # 0 to 1; None when the factor does not apply to this referral
    points: float
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "label": self.label,
            "weight": self.weight,
            "share_percent": round(self.share * 100, 1),
            "raw": None if self.raw is None else round(self.raw, 3),
            "points": self.points,
            "explanation": self.explanation,
        }


class Scorer:
    """Scores homes for one referral with its RCC's weights, all homes at once."""

    def __init__(
        self,
        profile: Profile,
        weights: MatchingWeights,
        stability: dict[int, Stability],
        radius: float,
    ) -> None:
        self.profile, self.weights, self.stability = profile, weights, stability
        self.radius = radius
        applicable = {code: int(getattr(weights, code) or 0) for code in FACTOR_CODES}
        if not profile.keep_school:
            applicable["distance_school"] = 0
        self.stated = StatedNeeds(profile)
        if not self.stated.applies:
            applicable["stated_needs"] = 0
        total = sum(applicable.values())
        self.shares = tuple(applicable[c] / total if total else 0.0 for c in FACTOR_CODES)
        self.family_limit = STAY_CLOSE_LIMIT_MILES if profile.stay_close else radius
        p = profile
        self._religion = p.religion if p.religion not in UNSTATED_RELIGIONS else None
        self._ethnicity = p.ethnicity if p.ethnicity not in UNSTATED_ETHNICITIES else None

    def raws(
        self, area: Area, idx: np.ndarray, distances: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None, bool]:
        """Each factor's raw value (0 to 1) for the homes `idx` of the area (a row each), the
        homes' distances to school (None without a school), and whether school counts."""
        n = len(idx)
        p = self.profile
        raws = np.zeros((n, len(FACTORS)))
        d_school = miles_from(p.school, area.lat[idx], area.lng[idx]) if p.school else None
        school_applies = bool(p.keep_school and d_school is not None)
        if n:
            raws[:, 0] = self._needs(area, idx)
            limit = self.family_limit
            raws[:, 1] = np.maximum(0.0, 1 - distances / limit) if limit else 0.0
            if school_applies and d_school is not None:
                raws[:, 2] = np.maximum(0.0, 1 - d_school / SCHOOL_LIMIT_MILES)
            raws[:, 3] = self._identity(area, idx)
            raws[:, 4] = area.column(("stability", None))[idx]
            raws[:, 5] = area.ofsted[idx]
            raws[:, 6] = self._preferences(area, idx)
            raws[:, 7] = self.stated.values(area, idx)
        return raws, d_school, school_applies

    def points(self, raws: np.ndarray) -> np.ndarray:
        """Each factor's points: its share of the weights x raw x 100, to 0.1."""
        return np.round(100 * raws * np.array(self.shares), 1)

    def scores(self, area: Area, idx: np.ndarray, distances: np.ndarray) -> np.ndarray:
        """The score of each of the homes `idx` (in that order), exactly as `score` gives it,
        without making options: for callers that rank many homes many times and show none
        (the planning simulation). Order them with `best_first`."""
        return total_score(self.points(self.raws(area, idx, distances)[0]))

    def score(self, area: Area, idx: np.ndarray, distances: np.ndarray, free: np.ndarray) -> Scored:
        """Score the homes `idx` of the area (they passed the hard constraints), best first."""
        homes = [area.homes[i] for i in idx.tolist()]
        raws, d_school, school_applies = self.raws(area, idx, distances)
        types = area.provider_types(idx, self.profile.la_id)
        return Scored(
            self,
            homes,
            distances,
            d_school,
            free,
            raws,
            self.points(raws),
            types,
            school_applies=school_applies,
        )

    def stability_of(self, provider_id: int) -> float:
        record = self.stability.get(provider_id)
        return record.value if record else NEUTRAL

    def _needs(self, area: Area, idx: np.ndarray) -> np.ndarray | float:
        needs = self.profile.needs
        if not needs:
            return 1.0
        credit = np.zeros(len(idx))
        for need in needs:
            skill = area.column(("skill", need.domain_id))[idx]
            credit += np.minimum(1.0, skill / need.rank)
        return credit / len(needs)

    def _identity(self, area: Area, idx: np.ndarray) -> np.ndarray:
        n = len(idx)
        total, parts = np.zeros(n), 0
        languages = self.profile.languages
        if languages:
            for lang in languages:
                total += area.column(("speaks", lang))[idx] / len(languages)
            parts += 1
        if self._religion:
            total += area.column(("religion", self._religion))[idx]
            parts += 1
        if self._ethnicity:
            exact = area.column(("ethnicity", self._ethnicity))[idx]
            near = area.column(("group", self._ethnicity[:1]))[idx]
            total += np.where(exact, 1.0, np.where(near, 0.5, 0.0))
            parts += 1
        if not parts:
            return np.full(n, NEUTRAL)
        return np.asarray(np.where(area.column(("carers", None))[idx], total / parts, NEUTRAL))

    def _preferences(self, area: Area, idx: np.ndarray) -> np.ndarray:
        ages = self.profile.ages
        mask = age_mask(ages)
        wanted, unwanted = area.wanted[idx], area.unwanted[idx]
        refused = (unwanted != 0) & ((unwanted & mask) == mask)
        fits = (wanted & mask) == mask
        siblings = area.welcomes_siblings[idx] & (len(ages) > 1)
        return np.asarray(
            np.where(
                refused,
                0.0,
                np.where(wanted != 0, fits.astype(float), np.where(siblings, 1.0, NEUTRAL)),
            )
        )

    # --- The sentence beside each factor (only for the options shown) ------------------------

    def identity_parts(self, home: Home) -> list[tuple[str, float]]:
        if not home.has_carers:
            return []
        parts: list[tuple[str, float]] = []
        languages = self.profile.languages
        if languages:
            parts.append(("language", len(languages & home.spoken) / len(languages)))
        if self._religion:
            parts.append(("religion", 1.0 if self._religion in home.religions else 0.0))
        if self._ethnicity:
            if self._ethnicity in home.ethnicities:
                parts.append(("ethnicity", 1.0))
            elif self._ethnicity[:1] in home.eth_groups:
                parts.append(("ethnicity", 0.5))
            else:
                parts.append(("ethnicity", 0.0))
        return parts

    def explain(self, option: Option, factor: str) -> str:
        p, home = self.profile, option.home
        if factor == "needs":
            if not p.needs:
                return "The needs assessment records no additional needs."
            short = [(n, home.skills.get(n.domain_id, 0)) for n in p.needs]
            short = [(n, s) for n, s in short if s < n.rank]
            text = f"Meets {len(p.needs) - len(short)} of {len(p.needs)} assessed needs in full."
            for need, skill in short:
                level = self._level(skill) if skill else "not recorded"
                text += (
                    f" {need.domain}: the child's need is {self._level(need.rank)}, the home's"
                    f" skill {level}."
                )
            return text
        if factor == "distance_family":
            close = " The child should stay close to family." if p.stay_close else ""
            return (
                f"{option.distance_family} miles from {p.centre_label} (straight line);"
                f" full credit at 0, none at {self.family_limit:g} miles.{close}"
            )
        if factor == "distance_school":
            if not p.keep_school:
                return "Not counted: the child is not keeping their school."
            return (
                f"{option.distance_school} miles from the school's area {p.school_label};"
                f" full credit at 0, none at {SCHOOL_LIMIT_MILES:g} miles."
            )
        if factor == "identity":
            parts = self.identity_parts(home)
            if not parts:
                return "Nothing to compare (no carer details or nothing recorded for the child)."
            words = {1.0: "matches", 0.5: "partly matches", 0.0: "does not match"}
            text = "; ".join(f"{n} {words.get(v, f'{v:.0%} match')}" for n, v in parts)
            return text[:1].upper() + text[1:] + "."
        if factor == "stability":
            record = self.stability.get(home.provider_id)
            if record is None or not record.counts:
                n = record.endings if record else 0
                return (
                    f"Neutral: {n} placement ending{'s' if n != 1 else ''} in the last 2 years"
                    f" (fewer than {STABILITY_MIN_ENDINGS} to judge)."
                )
            return (
                f"{record.unplanned} of {record.endings} placements ending in the last 2 years"
                f" ended unplanned ({record.unplanned / record.endings:.0%})."
            )
        if factor == "ofsted":
            if home.ofsted_grade in OFSTED_VALUE:
                return f"Ofsted grade: {OfstedGrade(home.ofsted_grade).label}."
            return "Neutral: no Ofsted grade recorded."
        if factor == "stated_needs":
            return self.stated.explain(home)
        if factor == "preferences":
            wanted, unwanted, welcomes_siblings = home.prefs
            raw = option.raws[6]
            if (
                unwanted
                and raw == 0.0
                and all(any(lo <= a <= hi for lo, hi, _ in unwanted) for a in p.ages)
            ):
                return "The carers say they prefer not " + ", ".join(i[2] for i in unwanted) + "."
            if wanted:
                verdict = "fits" if raw else "does not fit"
                bands = ", ".join(i[2] for i in wanted)
                return f"The carers' stated preference ({bands}) {verdict} the child's age."
            if welcomes_siblings and raw == 1.0:
                return "The carers say they welcome sibling groups."
            return "Neutral: no preference about age that the search can read."
        return ""

    def _level(self, rank: int) -> str:
        return self.profile.level_names.get(rank, str(rank)).lower()


class StatedNeeds:
    """The referral's stated needs beyond the assessment, each a part worth 0 to 1 that the
    register can answer: BSL and Makaton (a carer signs it), ESOL (a carer speaks the child's
    own language), therapy (approved for therapeutic care), adaptations (the home records
    adaptations) and each place to reach (full credit at 0 miles, none at 20). The factor's value
    is the mean of the parts; what the register does not hold is named for people to ask."""

    SIGNED = (("bsl", "British Sign Language"), ("makaton", "Makaton"))

    def __init__(self, profile: Profile) -> None:
        self.profile = p = profile
        self.signed = [(code, label) for code, label in self.SIGNED if code in p.communication]
        self.own_languages = sorted(p.languages - {"en"})
        self.esol = Communication.ESOL in p.communication
        self.therapy = SupportKind.THERAPY in p.support
        self.unheld = [SupportKind(s).label for s in p.support if s != SupportKind.THERAPY]
        self.places = [place for place in p.reach if place.point is not None]
        self.unplaced = [place for place in p.reach if place.point is None]
        self.parts = (
            len(self.signed)
            + bool(self.esol and self.own_languages)
            + self.therapy
            + bool(p.adaptations)
            + len(self.places)
        )

    @property
    def applies(self) -> bool:
        return self.parts > 0

    def values(self, area: Area, idx: np.ndarray) -> np.ndarray:
        n = len(idx)
        if not self.parts:
            return np.zeros(n)
        total = np.zeros(n)
        for code, _ in self.signed:
            total += area.column(("speaks", code))[idx]
        if self.esol and self.own_languages:
            speaks = np.zeros(n, dtype=bool)
            for lang in self.own_languages:
                speaks |= area.column(("speaks", lang))[idx] > 0
            total += speaks
        if self.therapy:
            total += area.therapeutic[idx]
        if self.profile.adaptations:
            total += area.adapted[idx]
        for place in self.places:
            assert place.point is not None
            d = miles_from(place.point, area.lat[idx], area.lng[idx])
            total += np.maximum(0.0, 1 - d / REACH_LIMIT_MILES)
        return total / self.parts

    def explain(self, home: Home) -> str:
        p = self.profile
        said: list[str] = []
        for code, label in self.signed:
            said.append(
                f"{label}: {'a carer signs it' if code in home.spoken else 'no carer signs it'}"
            )
        if self.esol:
            if not self.own_languages:
                said.append("English support: the child's own language is not recorded")
            else:
                names = " or ".join(LANGUAGES.get(c, c) for c in self.own_languages)
                speaks = home.spoken & set(self.own_languages)
                said.append(f"English support: {'a' if speaks else 'no'} carer speaks {names}")
        if self.therapy:
            approved = home.care_types & CareType.THERAPEUTIC
            said.append(
                f"therapy: {'approved' if approved else 'not approved'} for therapeutic care"
            )
        if p.adaptations:
            from .register import adaptations_text

            have = adaptations_text(home.adaptations)
            said.append(
                f"adaptations: the home records \u201c{have}\u201d; check they meet the child's"
                if have
                else "adaptations: the home records none"
            )
        for place in self.places:
            assert place.point is not None
            d = miles(place.point, home.lat, home.lng)
            said.append(f"{place.label}: {d:.1f} miles")
        for place in self.unplaced:
            said.append(f"{place.label}: postcode district not known")
        if self.unheld:
            said.append("not on the register, ask the provider: " + ", ".join(self.unheld).lower())
        if not said:
            return "The referral states no communication, support, adaptation or place to reach."
        text = "; ".join(said)
        if not self.parts:
            text = "Not counted: " + text
        return text[:1].upper() + text[1:] + "."


def total_score(points: np.ndarray) -> np.ndarray:
    """The score of each home: its factors' points added up, to 0.1."""
    return np.round(points.sum(axis=1), 1)


def best_first(scores: np.ndarray, distances: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """The order options are shown in: highest score, then nearest to family (to 0.1 mile),
    then household id."""
    return np.lexsort((ids, np.round(distances, 1), -scores))


class Scored:
    """Homes that passed the hard constraints with their scores, as arrays, best first (score,
    then distance to family, then household id). Options are made only for what is shown."""

    def __init__(
        self,
        scorer: Scorer,
        homes: list[Home],
        distances: np.ndarray,
        d_school: np.ndarray | None,
        free: np.ndarray,
        raws: np.ndarray,
        points: np.ndarray,
        provider_types: np.ndarray,
        *,
        school_applies: bool,
    ) -> None:
        scores = total_score(points)
        family = np.round(distances, 1)
        ids = np.fromiter((h.id for h in homes), np.int64, len(homes))
        order = best_first(scores, distances, ids)
        self.scorer = scorer
        self.homes = [homes[k] for k in order.tolist()]
        self.household_ids = ids[order]
        self.scores = scores[order]
        self.distances = family[order]
        self.d_school = None if d_school is None else d_school[order]
        self.free = free[order]
        self.raws = raws[order]
        self.points = points[order]
        self.provider_types = provider_types[order]
        self.school_applies = school_applies
        self._position = {int(h): k for k, h in enumerate(self.household_ids.tolist())}

    def __len__(self) -> int:
        return len(self.homes)

    def option(self, k: int) -> Option:
        raws: list[float | None] = self.raws[k].tolist()
        if not self.school_applies:
            raws[2] = None
        if not self.scorer.stated.applies:
            raws[7] = None
        return Option(
            self.homes[k],
            self.scorer,
            float(self.distances[k]),
            None if self.d_school is None else float(self.d_school[k]),
            int(self.free[k]),
            tuple(raws),
            tuple(self.points[k].tolist()),
            float(self.scores[k]),
            str(self.provider_types[k]),
        )

    def position(self, household_id: int) -> int | None:
        return self._position.get(household_id)


class OptionList(Sequence["Option"]):
    """Options best first, made when they are read (a page at a time)."""

    def __init__(self, scored: Scored, positions: np.ndarray | None = None) -> None:
        self.scored = scored
        self.positions = np.arange(len(scored)) if positions is None else positions

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, index: int) -> Option: ...

    @overload
    def __getitem__(self, index: slice) -> list[Option]: ...

    def __getitem__(self, index: int | slice) -> Option | list[Option]:
        if isinstance(index, slice):
            return [self.scored.option(int(k)) for k in self.positions[index].tolist()]
        return self.scored.option(int(self.positions[index]))

    def where(self, mask: np.ndarray) -> OptionList:
        return OptionList(self.scored, self.positions[mask[self.positions]])

    def for_household(self, household_id: int) -> Option | None:
        k = self.scored.position(household_id)
        return None if k is None else self.scored.option(k)


class Option:
    """A home that can take the child, with its score; each factor's contribution (and its
    sentence) is worked out when it is shown."""

    __slots__ = (
        "_contributions",
        "distance_family",
        "distance_school",
        "free",
        "home",
        "points",
        "provider_type",
        "raws",
        "score",
        "scorer",
    )

    def __init__(
        self,
        home: Home,
        scorer: Scorer,
        distance: float,
        distance_school: float | None,
        free: int,
        raws: tuple[float | None, ...],
        points: tuple[float, ...],
        score: float,
        provider_type: str,
    ) -> None:
        self.home, self.scorer, self.free = home, scorer, free
        self.distance_family = round(distance, 1)
        self.distance_school = None if distance_school is None else round(distance_school, 1)
        self.raws, self.points = raws, points
        self.score = score
        self.provider_type = provider_type
        self._contributions: list[Contribution] | None = None

    @property
    def household_id(self) -> int:
        return self.home.id  # type: ignore[no-any-return]

    @property
    def score_text(self) -> str:
        return f"{self.score:.1f}"

    @property
    def distances_text(self) -> str:
        text = f"{self.distance_family:.1f} miles to family"
        if self.distance_school is not None:
            text += f"; {self.distance_school:.1f} miles to school"
        return text

    @property
    def provider_type_label(self) -> str:
        return ProviderType.LABELS[self.provider_type]

    @property
    def ofsted_label(self) -> str:
        grade = self.home.ofsted_grade
        return OfstedGrade(grade).label if grade in OFSTED_VALUE else "Not graded"

    @property
    def contributions(self) -> list[Contribution]:
        if self._contributions is None:
            s = self.scorer
            self._contributions = [
                Contribution(
                    factor=code,
                    label=label,
                    weight=int(getattr(s.weights, code) or 0),
                    share=s.shares[i],
                    raw=self.raws[i],
                    points=self.points[i],
                    explanation=s.explain(self, code),
                )
                for i, (code, label) in enumerate(FACTORS)
            ]
        return self._contributions

    def as_dict(self) -> dict[str, Any]:
        h = self.home
        return {
            "household": h.id,
            "reference": h.reference,
            "provider": {"id": h.provider_id, "name": h.provider_name},
            "provider_type": self.provider_type,
            "ofsted_grade": h.ofsted_grade,
            "postcode_district": h.district,
            "distance_to_family_miles": self.distance_family,
            "distance_to_school_miles": self.distance_school,
            "places_free": self.free,
            "score": self.score,
            "contributions": [c.as_dict() for c in self.contributions],
        }

    def snapshot(self) -> dict[str, Any]:
        """What a ReferralTarget keeps of the score when it is sent."""
        return {
            "score": self.score,
            "computed_at": timezone.now().isoformat(),
            "contributions": [c.as_dict() for c in self.contributions],
        }
