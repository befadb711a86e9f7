"""The permission matrix's table: one `Row` per route (and method) of the whole site.

Each app contributes its rows in `tests/<app>/permission_rows.py`, a module holding

    ROWS: list[Row] = [...]
    PUBLIC: dict[str, str] = {"url name": "why anyone may open it"}   # optional

`all_rows()` and `public_routes()` collect them; `tests/test_permission_matrix.py` runs every
row and fails for any route of `config.urls` that has neither a row nor a PUBLIC entry.

A row says who may use a route and how to build its URL from the `world` fixture (see
tests/conftest.py: two RCCs, each with an LA, a hub and an LA fostering service; two IFAs; the
NCC; one user per role in `world.users`). Every row is checked four ways:

- anonymous → 302 to the login page (web) or 401 with a JSON "detail" (API);
- each role in `world.users` not in `roles` → 403;
- each role in `roles`, on an object outside its scope (`hidden`) → 404;
- each role in `roles` → `ok`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apps.accounts.models import User
    from tests.conftest import World

URLKwargs = dict[str, Any]
KwargsFn = Callable[["World", "User"], URLKwargs]
HiddenFn = Callable[["World", "User"], URLKwargs | None]
DataFn = Callable[["World", "User"], dict[str, Any]]

TESTS_DIR = Path(__file__).resolve().parent


def no_kwargs(world: World, user: User) -> URLKwargs:
    return {}


def own_organisation(user: User) -> Any:
    """The organisation of the user's first membership (the `world` users hold one each)."""
    return user.memberships.select_related("organisation").first().organisation  # type: ignore[union-attr]


@dataclass(frozen=True)
class Row:
    """How one route answers each kind of caller.

    name:   the URL name, namespaced ("organisations:detail", "api:organisation-list").
    roles:  the roles that get `ok`; None means every signed-in user (no 403 case).
    kwargs: (world, user) → URL kwargs of an object that user may see. Called afresh for each
            request, so it may create the object (e.g. a membership to remove).
    hidden: (world, user) → URL kwargs of an object outside that user's scope (→ 404), or
            None for a user who may see everything; leave unset for routes without an object.
    method: "get" or "post"; data: (world, user) → the POST body.
    ok:     the status the right role gets (302 for a POST that redirects after success).
    """

    name: str
    roles: frozenset[str] | None = None
    kwargs: KwargsFn = no_kwargs
    hidden: HiddenFn | None = None
    method: str = "get"
    data: DataFn | None = None
    ok: int = 200

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.name}"


def _modules() -> list[Any]:
    modules = []
    for path in sorted(TESTS_DIR.glob("*/permission_rows.py")):
        modules.append(importlib.import_module(f"tests.{path.parent.name}.permission_rows"))
    return modules


def all_rows() -> list[Row]:
    rows: list[Row] = []
    for module in _modules():
        rows.extend(getattr(module, "ROWS", []))
    return rows


def public_routes() -> dict[str, str]:
    """Routes anyone may open, each with the reason."""
    public: dict[str, str] = {}
    for module in _modules():
        public.update(getattr(module, "PUBLIC", {}))
    return public
