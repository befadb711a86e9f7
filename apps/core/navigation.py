"""Service navigation and home-page sections: each role sees what it can do.

Apps add their entries to NAVIGATION; an entry shows only to users its rule allows.
Apps may also add HOME_PANELS: a template with its context, shown on the home page above
"What you can do" to users its rule allows (e.g. a commissioner's coming contract dates).
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
