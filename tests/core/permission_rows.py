"""Permission matrix rows for the home page and the API root (see tests/permission_rows.py)."""

from tests.permission_rows import Row

ROWS = [
    Row("home"),
    Row("api:api-root"),
]

PUBLIC = {
    "healthz": "load balancers and monitoring call it without signing in; it shows no data",
    "api:schema": "the OpenAPI schema describes the API, not its data",
    "api:docs": "Swagger UI for the schema (served offline), no data",
    "api:not-found": "answers an address under /api/v1/ that names nothing with a JSON 404",
}
