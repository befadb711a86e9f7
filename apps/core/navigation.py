"""Service navigation and home-page sections: each role sees what it can do.

Apps add their entries to NAVIGATION; an entry shows only to users its rule allows.
Apps may also add HOME_PANELS: a template with its context, shown on the home page above
"What you can do" to users its rule allows (e.g. a commissioner's coming contract dates), and
WORK_QUEUES: per role, the work waiting for the person (counts with links), shown first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from .permissions import SIGNED_IN, Rule, acting_user


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    rule: Rule = SIGNED_IN
    description: str = ""
    in_header: bool = True


NAVIGATION: list[NavItem] = []


def register(*items: NavItem) -> None:
    for item in items:
        if item not in NAVIGATION:
            NAVIGATION.append(item)


def _visible(user: Any) -> list[tuple[NavItem, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for item in NAVIGATION:
        if not item.rule.allows(user):
            continue
        try:
            out.append((item, reverse(item.url_name)))
        except NoReverseMatch:
            continue
    return out


def navigation_for(user: Any, path: str) -> list[dict[str, Any]]:
    items = [(item, href) for item, href in _visible(user) if item.in_header]
    # Only the most specific entry is active: /referrals/children/ is "Children", not also
    # "Referrals" (whose address, /referrals/, is a prefix of it).
    matches = [href for _, href in items if href != "/" and path.startswith(href)]
    active = max(matches, key=len) if matches else None
    return [{"label": item.label, "href": href, "active": href == active} for item, href in items]


def home_sections(user: Any) -> list[dict[str, Any]]:
    return [
        {"label": item.label, "href": href, "description": item.description}
        for item, href in _visible(user)
        if item.description
    ]


@dataclass(frozen=True)
class HomePanel:
    """A home-page panel: `template_name` rendered with `context(user)` as `panel`."""

    template_name: str
    rule: Rule
    context: Callable[[Any], dict[str, Any]]
    order: int = 100


HOME_PANELS: list[HomePanel] = []


def register_panel(*panels: HomePanel) -> None:
    for panel in panels:
        if panel not in HOME_PANELS:
            HOME_PANELS.append(panel)


def home_panels(user: Any) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    # Each panel reads as the memberships holding its rule's roles (docs/adr/0006).
    return [
        {
            "template_name": panel.template_name,
            "context": panel.context(acting_user(user, panel.rule)),
        }
        for panel in sorted(HOME_PANELS, key=lambda p: p.order)
        if panel.rule.allows(user)
    ]


@dataclass(frozen=True)
class WorkItem:
    """One kind of work waiting: how many, and the list that shows exactly those."""

    label: str
    count: int
    href: str
    urgent: bool = False


@dataclass(frozen=True)
class WorkQueue:
    """A role's work on the home page: `items(user)`, read as the memberships holding one of
    `rule`'s roles (docs/adr/0006), in a fixed number of queries whatever the data."""

    title: str
    rule: Rule
    items: Callable[[Any], list[WorkItem]]
    order: int = 100


WORK_QUEUES: list[WorkQueue] = []


def register_work(*queues: WorkQueue) -> None:
    for queue in queues:
        if queue not in WORK_QUEUES:
            WORK_QUEUES.append(queue)


def work_for(user: Any) -> list[dict[str, Any]]:
    """Each of the person's roles with its work waiting; an item shown under an earlier role
    (the reviews asked of a social worker who is also an IRO) is not repeated."""
    if not getattr(user, "is_authenticated", False):
        return []
    seen: set[str] = set()
    out = []
    for queue in sorted(WORK_QUEUES, key=lambda q: q.order):
        if not queue.rule.allows(user):
            continue
        items = [i for i in queue.items(acting_user(user, queue.rule)) if i.href not in seen]
        seen.update(i.href for i in items)
        if items:
            out.append({"title": queue.title, "items": items})
    return out
