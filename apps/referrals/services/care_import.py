"""Importing an LA's SSDA903 Header and Episodes files as its children's care history.

`import_ssda903` reads both files (CSV or XLSX, as a case system writes them: any column
order, header names in any case, extra columns ignored) through the one safe upload reader
(`apps.core.uploads`), checks every row, and only if every row passes writes in one
transaction:

- children created or updated by the LA's identifier (CHILD): sex, date of birth and ethnicity
  from the Header; nothing the file does not hold is touched;
- each episode as a `CareEpisode` (source "imported") keyed by (child, DECOM); an episode that
  starts the day a platform placement of the child starts is the platform's own record and is
  skipped; earlier imported episodes of the child inside the span the file covers that the
  file no longer holds (a corrected DECOM) are removed;
- a `LegalStatusChange` at each DECOM where LS changes (or a new period of care starts), and
  the child's legal status set to the latest; the home postcode from the latest episode's
  HOME_POST when the child has none.

Importing the same files again changes nothing. Any problem: nothing is written, and the
import is recorded as rejected with each problem's file, row and column. The originals are
kept either way (except a file over the size limit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any, cast

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core import uploads
from apps.core.errors import DomainError
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, PostcodeDistrict

from .. import ssda903 as codes
from ..choices import CareHistorySource, NewEpisodeReason
from ..models import CareEpisode, CareHistoryImport, Child, LegalStatusChange, Placement
from ..ssda903_reader import (
    EPISODE_FIELDS,
    EPISODES,
    HEADER,
    EpisodeRow,
    FileRejected,
    HeaderRow,
    RowError,
    check_episodes,
    check_header,
    read_table,
)
from .children import require_social_worker

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # each file; 20,000 episodes take about 1.5 MB as CSV


@dataclass
class Timings:
    """Seconds spent reading, checking and writing (for bench/ssda903_import.py)."""

    parse: float = 0.0
    validate: float = 0.0
    write: float = 0.0


@dataclass
class _Counts:
    children_created: int = 0
    children_updated: int = 0
    children_unchanged: int = 0
    episodes_created: int = 0
    episodes_updated: int = 0
    episodes_unchanged: int = 0
    episodes_platform: int = 0
    episodes_replaced: int = 0
    legal_statuses_created: int = 0


# --- Writing -----------------------------------------------------------------------------------


def _legal_status_steps(episodes: list[EpisodeRow]) -> list[tuple[dt.date, str]]:
    """(date, LS) where the legal status changes, or a new period of care starts (RNE S)."""
    steps: list[tuple[dt.date, str]] = []
    previous = None
    for episode in episodes:
        ls = episode.values["legal_status"]
        if ls != previous or episode.values["new_episode_reason"] == NewEpisodeReason.S:
            steps.append((episode.start, ls))
        previous = ls
    return steps


def _write(
    *,
    la: Organisation,
    by: User,
    record: CareHistoryImport,
    header: dict[str, HeaderRow],
    episodes: dict[str, list[EpisodeRow]],
) -> _Counts:
    counts = _Counts()
    now = timezone.now()
    Organisation.objects.select_for_update().filter(pk=la.pk).values_list("pk").get()
    existing = {c.local_identifier: c for c in Child.objects.filter(la=la)}
    no_episodes = [
        h for ident, h in header.items() if ident not in existing and not episodes.get(ident)
    ]
    if no_episodes:
        raise _Rejected(
            [
                RowError(
                    HEADER,
                    h.row,
                    "CHILD",
                    f"CHILD {h.child} has no episodes in the Episodes file: a child new to the "
                    "platform is added with their episodes.",
                    h.child,
                )
                for h in no_episodes
            ]
        )
    # Every candidate home postcode's district that the platform knows.
    latest_home = {
        ident: next(
            (e.values["home_postcode"] for e in reversed(eps) if e.values["home_postcode"]), ""
        )
        for ident, eps in episodes.items()
    }
    districts = set(
        PostcodeDistrict.objects.filter(
            code__in={p.split(" ")[0] for p in latest_home.values() if p}
        ).values_list("code", flat=True)
    )

    # Children: new ones first (they need a legal status: the latest in the file).
    new_children = []
    for ident, h in header.items():
        if ident in existing:
            continue
        eps = episodes[ident]
        home = latest_home.get(ident, "")
        district = home.split(" ")[0] if home else ""
        new_children.append(
            Child(
                la=la,
                local_identifier=ident,
                date_of_birth=cast(dt.date, h.dob),  # checked: no errors
                sex=h.sex,
                ethnicity=h.ethnicity,
                legal_status=eps[-1].values["legal_status"],
                home_postcode=home,
                home_postcode_district_id=district if district in districts else None,
                created_by=by,
                created_at=now,
                updated_at=now,
            )
        )
    Child.objects.bulk_create(new_children, batch_size=2000)
    counts.children_created = len(new_children)
    created_ids = {c.pk for c in new_children}
    children = {**existing, **{c.local_identifier: c for c in new_children}}
    ids = [children[ident].pk for ident in header]

    # Episodes, against what is stored and the platform's own placements.
    stored: dict[int, dict[dt.date, CareEpisode]] = defaultdict(dict)
    if len(created_ids) < len(ids):
        for ep in CareEpisode.objects.filter(child_id__in=ids).exclude(child_id__in=created_ids):
            stored[ep.child_id][ep.start_date] = ep
    platform = set(Placement.objects.filter(child_id__in=ids).values_list("child_id", "start_date"))
    to_create: list[CareEpisode] = []
    to_update: list[CareEpisode] = []
    to_delete: list[int] = []
    for ident, eps in episodes.items():
        child_id = children[ident].pk
        mine = stored.get(child_id, {})
        in_file = set()
        for e in eps:
            in_file.add(e.start)
            if (child_id, e.start) in platform:
                counts.episodes_platform += 1
                continue
            current = mine.get(e.start)
            if current is None:
                to_create.append(
                    CareEpisode(
                        child_id=child_id,
                        start_date=e.start,
                        source=CareHistorySource.IMPORTED,
                        imported_from=record,
                        created_at=now,
                        updated_at=now,
                        **e.values,
                    )
                )
                continue
            changed = current.source != CareHistorySource.IMPORTED or any(
                getattr(current, name) != value for name, value in e.values.items()
            )
            if changed:
                for name, value in e.values.items():
                    setattr(current, name, value)
                current.source = CareHistorySource.IMPORTED
                current.imported_from = record
                current.updated_at = now
                to_update.append(current)
            else:
                counts.episodes_unchanged += 1
        first, last = eps[0].start, eps[-1].end
        to_delete += [
            ep.pk
            for day, ep in mine.items()
            if ep.source == CareHistorySource.IMPORTED
            and day not in in_file
            and first <= day
            and (last is None or day <= last)
        ]
    if to_delete:
        CareEpisode.objects.filter(pk__in=to_delete).delete()
    CareEpisode.objects.bulk_create(to_create, batch_size=2000)
    CareEpisode.objects.bulk_update(
        to_update, [*EPISODE_FIELDS, "source", "imported_from", "updated_at"], batch_size=2000
    )
    counts.episodes_created, counts.episodes_updated = len(to_create), len(to_update)
    counts.episodes_replaced = len(to_delete)

    # Legal status history: the file's steps; rows recorded on the platform are kept.
    statuses: dict[int, dict[dt.date, LegalStatusChange]] = defaultdict(dict)
    for row in LegalStatusChange.objects.filter(child_id__in=ids):
        statuses[row.child_id][row.start_date] = row
    ls_create: list[LegalStatusChange] = []
    ls_update: list[LegalStatusChange] = []
    for ident, eps in episodes.items():
        child_id = children[ident].pk
        mine_ls = statuses[child_id]
        for day, ls in _legal_status_steps(eps):
            current_ls = mine_ls.get(day)
            if current_ls is None:
                mine_ls[day] = LegalStatusChange(
                    child_id=child_id,
                    legal_status=ls,
                    start_date=day,
                    source=CareHistorySource.IMPORTED,
                    created_at=now,
                )
                ls_create.append(mine_ls[day])
            elif current_ls.source == CareHistorySource.IMPORTED and current_ls.legal_status != ls:
                current_ls.legal_status = ls
                ls_update.append(current_ls)
    LegalStatusChange.objects.bulk_create(ls_create, batch_size=2000)
    LegalStatusChange.objects.bulk_update(ls_update, ["legal_status"], batch_size=2000)
    counts.legal_statuses_created = len(ls_create)

    # The children's own fields: the Header's, the latest legal status, a home postcode.
    child_update: list[Child] = []
    for ident, h in header.items():
        child = children[ident]
        if child.pk in created_ids:
            continue  # made above with the file's latest legal status and home postcode
        changed = False
        header_values = (("sex", h.sex), ("date_of_birth", h.dob), ("ethnicity", h.ethnicity))
        for name, value in header_values:
            if getattr(child, name) != value:
                setattr(child, name, value)
                changed = True
        if statuses.get(child.pk):
            latest = statuses[child.pk][max(statuses[child.pk])].legal_status
            if latest != child.legal_status:
                child.legal_status = latest
                changed = True
        home = latest_home.get(ident, "")
        if home and not child.home_postcode:
            child.home_postcode = home
            district = home.split(" ")[0]
            if child.home_postcode_district_id is None and district in districts:
                child.home_postcode_district_id = district
            changed = True
        if changed:
            child.updated_at = now
            child_update.append(child)
            counts.children_updated += 1
        else:
            counts.children_unchanged += 1
    Child.objects.bulk_update(
        child_update,
        [
            "sex",
            "date_of_birth",
            "ethnicity",
            "legal_status",
            "home_postcode",
            "home_postcode_district",
            "updated_at",
        ],
        batch_size=2000,
    )
    return counts


class _Rejected(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


# --- The service -------------------------------------------------------------------------------


def _content(file: str, upload: Any) -> tuple[str, bytes | None, RowError | None]:
    name = os.path.basename(getattr(upload, "name", "") or file.lower())[:255]
    size = getattr(upload, "size", None)
    if size is None or size <= MAX_UPLOAD_BYTES:
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        size = len(content)
        if size <= MAX_UPLOAD_BYTES:
            return name, content, None
    limit = MAX_UPLOAD_BYTES // (1024 * 1024)
    return (
        name,
        None,
        RowError(
            file,
            None,
            "",
            f"The file is {size / (1024 * 1024):.1f} MB; the largest accepted is {limit} MB.",
        ),
    )


def import_ssda903(
    *,
    by: User,
    la: Organisation,
    header_upload: Any,
    episodes_upload: Any,
    timings: Timings | None = None,
) -> CareHistoryImport:
    """Import an LA's SSDA903 Header and Episodes (see the module's docstring).

    Only a social worker of `la` may (DomainError otherwise: nothing is recorded). Returns the
    import, accepted with its counts or rejected with its row-level errors."""
    if la.kind != OrganisationKind.LOCAL_AUTHORITY:
        raise DomainError("Care history is imported for a local authority.", field="la")
    require_social_worker(by, la)
    timings = timings if timings is not None else Timings()
    started = time.perf_counter()
    header_name, header_content, header_error = _content(HEADER, header_upload)
    episodes_name, episodes_content, episodes_error = _content(EPISODES, episodes_upload)
    record = CareHistoryImport(
        la=la, uploaded_by=by, header_name=header_name, episodes_name=episodes_name
    )
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for attr, content, name in (
        ("header_file", header_content, header_name),
        ("episodes_file", episodes_content, episodes_name),
    ):
        if content is not None:
            ext = os.path.splitext(name)[1].lower()[:6] or ".bin"
            digest = hashlib.sha256(content).hexdigest()[:12]
            getattr(record, attr).save(
                f"{la.pk}-{stamp}-{attr.split('_')[0]}-{digest}{ext}",
                ContentFile(content),
                save=False,
            )
    size_errors = [e for e in (header_error, episodes_error) if e is not None]
    if size_errors:
        return _reject(record, size_errors)
    assert header_content is not None and episodes_content is not None

    errors: list[RowError] = []
    header_rows: list[tuple[int, dict[str, str]]] = []
    episode_rows: list[tuple[int, dict[str, str]]] = []
    try:
        header_rows, errs = read_table(
            HEADER,
            header_name,
            header_content,
            required=codes.HEADER_REQUIRED,
            optional=(),
        )
        errors += errs
        if not header_rows:
            errors.append(RowError(HEADER, None, "", "The Header file has no children."))
    except FileRejected as rejected:
        errors.append(rejected.error)
    try:
        optional = tuple(c for c in codes.EPISODE_COLUMNS if c not in codes.EPISODES_REQUIRED)
        episode_rows, errs = read_table(
            EPISODES,
            episodes_name,
            episodes_content,
            required=codes.EPISODES_REQUIRED,
            optional=optional,
        )
        errors += errs
    except FileRejected as rejected:
        errors.append(rejected.error)
    record.header_rows, record.episode_rows = len(header_rows), len(episode_rows)
    timings.parse = time.perf_counter() - started
    if errors and not (header_rows or episode_rows):
        return _reject(record, errors)

    started = time.perf_counter()
    today = timezone.localdate()
    header, errs = check_header(header_rows, today)
    errors += errs
    episodes, errs = check_episodes(episode_rows, header, today)
    errors += errs
    timings.validate = time.perf_counter() - started
    if errors:
        return _reject(record, errors)

    started = time.perf_counter()
    try:
        with transaction.atomic():
            record.status = CareHistoryImport.Status.ACCEPTED
            record.save()
            counts = _write(la=la, by=by, record=record, header=header, episodes=episodes)
            for name, value in vars(counts).items():
                setattr(record, name, value)
            record.save()
    except _Rejected as rejected:
        record.pk = None
        record._state.adding = True
        return _reject(record, rejected.errors)
    except IntegrityError:
        logger.exception("SSDA903 import for LA %s failed to write", la.pk)
        record.pk = None
        record._state.adding = True
        return _reject(
            record,
            [
                RowError(
                    EPISODES,
                    None,
                    "",
                    "The children's records changed while the files were imported: import "
                    "them again.",
                )
            ],
        )
    finally:
        timings.write = time.perf_counter() - started
    return record


def _reject(record: CareHistoryImport, errors: list[RowError]) -> CareHistoryImport:
    errors.sort(key=lambda e: (e.file != HEADER, e.row or 0))
    record.status = CareHistoryImport.Status.REJECTED
    record.error_count = len(errors)
    record.errors = uploads.stored_errors([e.as_dict() for e in errors])
    for f in fields(_Counts):
        setattr(record, f.name, 0)
    record.save()
    return record
