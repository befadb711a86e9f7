"""Every API operation, as three roles, answers within its OpenAPI schema and never with a 500.

Schemathesis generates a few requests per operation from the schema drf-spectacular builds
in-process, calls the app through WSGI in this thread (so the requests share the test's
database transaction) and checks each response: not a server error, a status code, content
type, headers and body that the schema documents. A failure names the operation and prints
the request that reproduces it (`curl …`).

Each operation whose path names an object is called twice per example: with the generated id
(almost always an object that does not exist or is not the caller's: a 404) and with the id of
an object of the seeded world (so the success responses are checked against the schema too).

Runtime: about a minute of CPU per role, three in all on one core (`SCHEMATHESIS_EXAMPLES`
tunes the examples per operation and mode, default 3; 0 skips the test; `SCHEMATHESIS_ONLY`
runs only the operations whose label matches; run with `-s` to see each failure as it comes).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from apps.accounts.roles import Role
from apps.providers.models import Provider
from tests.contracts.factories import (
    EnrolmentFactory,
    FrameworkFactory,
    LotFactory,
    PlacementBudgetFactory,
    PriceScheduleFactory,
    SoftBlockFactory,
)
from tests.monitoring.factories import due_return
from tests.referrals.factories import ChildFactory, NeedsAssessmentFactory, ReferralFactory
from tests.referrals.placing_factories import journey, offer_on

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
# A regular expression to run only some operations, e.g. SCHEMATHESIS_ONLY="POST /api/v1/children".
ONLY = re.compile(os.environ.get("SCHEMATHESIS_ONLY", ""))

# The roles the API is exercised as: between them they reach every app's operations
# (children and referrals; commissioning and monitoring; a provider's targets and homes).
ROLES = [Role.SOCIAL_WORKER, Role.COMMISSIONER, Role.PROVIDER_REFERRALS]

CONFIG = {
    "seed": 11,
    "generation": {
        "max-examples": EXAMPLES,
        "deterministic": True,
        "no-shrink": True,
        # The caller signs in with a session; a generated `Authorization` header would be
        # a token that does not exist (a 401 for every operation).
        "with-security-parameters": False,
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": False},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
    },
}


def openapi_document() -> dict[str, Any]:
    """The schema exactly as /api/v1/schema/?format=json serves it."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


class TestApp:
    """The project's WSGI app, keeping the test's connection (and so its transaction) open.

    Django closes the connection at the start and end of each request; its test Client
    disconnects that handler for the duration of a request, and so does this.
    """

    __test__ = False

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            return self.handler(environ, start_response)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def seeded_ids(world: Any) -> dict[str, Any]:
    """One object per kind the API's paths name, keyed by the path up to its first parameter."""
    draft = ReferralFactory(
        child=ChildFactory(la=world.la, created_by=world.users[Role.SOCIAL_WORKER]),
        created_by=world.users[Role.SOCIAL_WORKER],
    )
    NeedsAssessmentFactory(child=draft.child)
    sent = journey(world)
    offer = offer_on(sent.in_house)
    ifa = Provider.objects.get(organisation=world.ifa)
    framework = FrameworkFactory(owner=world.rcc)
    lot = LotFactory(framework=framework)
    enrolment = EnrolmentFactory(lot=lot, provider=ifa)
    schedule = PriceScheduleFactory(lot=lot, provider=ifa)
    block = SoftBlockFactory(rcc=world.rcc, provider=ifa)
    budget = PlacementBudgetFactory(rcc=world.rcc, la=world.la)
    monitoring_return = due_return(world.ifa)
    return {
        "/api/v1/children/": draft.child.pk,
        "/api/v1/referrals/": draft.pk,
        "/api/v1/offers/": offer.pk,
        "/api/v1/provider/targets/": sent.ifa.pk,
        "/api/v1/households/": sent.ifa.household.reference,
        "/api/v1/organisations/": world.ifa.pk,
        "/api/v1/rccs/": world.rcc.pk,
        "/api/v1/contracts/frameworks/": framework.pk,
        "/api/v1/contracts/lots/": lot.pk,
        "/api/v1/contracts/enrolments/": enrolment.pk,
        "/api/v1/contracts/price-schedules/": schedule.pk,
        "/api/v1/contracts/soft-blocks/": block.pk,
        "/api/v1/contracts/budgets/": budget.pk,
        "/api/v1/monitoring/returns/": monitoring_return.pk,
    }


def real_path_parameters(path: str, ids: dict[str, Any]) -> dict[str, Any] | None:
    """`{name: value}` pointing the path's first parameter at a seeded object, if one fits."""
    match = re.match(r"^(?P<prefix>[^{]*)\{(?P<name>\w+)\}", path)
    if match is None or match["prefix"] not in ids:
        return None
    return {match["name"]: ids[match["prefix"]]}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_within_its_schema(world: Any, role: str) -> None:
    if EXAMPLES <= 0:
        pytest.skip("SCHEMATHESIS_EXAMPLES=0")
    config = schemathesis.Config.from_dict(CONFIG)
    schema = schemathesis.openapi.from_dict(openapi_document(), config=config)
    schema.app = TestApp()
    auth = signed_in(world.users[role])
    ids = seeded_ids(world)
    failures: list[str] = []
    operations = [
        result.ok() for result in schema.get_all_operations() if ONLY.search(result.ok().label)
    ]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                exercise(operation, mode, auth, ids)
            except Unsatisfiable:
                # Nothing about the request can be wrong (no parameters, no body).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, BaseExceptionGroup) as exc:  # report them all
                failures.append(f"{operation.label} ({mode}):\n{exc}")
                print(f"schemathesis: {role}: {operation.label} ({mode}) failed", flush=True)
    assert not failures, f"{len(failures)} failures as {role}:\n\n" + "\n\n".join(failures)


def signed_in(user: Any) -> dict[str, dict[str, str]]:
    """A session cookie for `user` and a CSRF token, as a browser would send them."""
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "cookies": {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: csrf},
        "headers": {"X-CSRFToken": csrf},
    }


def exercise(
    operation: Any, mode: GenerationMode, auth: dict[str, Any], ids: dict[str, Any]
) -> None:
    real = real_path_parameters(operation.path, ids)

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        verbosity=hypothesis.Verbosity.quiet,
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        case.call_and_validate(**auth)
        if real is not None:
            case.path_parameters = {**(case.path_parameters or {}), **real}
            case.call_and_validate(**auth)

    run()
