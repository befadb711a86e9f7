"""Writes for commissioning. Web views, the API, the seed command and Celery tasks all call
these functions; each checks its rules and raises DomainError with a clear message."""

from .frameworks import (
    contract_adopt_terms,
    enrolment_apply,
    enrolment_set_status,
    framework_create,
    framework_extend,
    lot_add,
    terms_version_publish,
)
from .management import (
    account_manager_set,
    alert_dismiss,
    contract_alerts_raise,
    dispute_add_step,
    dispute_close,
    dispute_raise,
    meeting_action_done,
    meeting_record,
)
from .money import budget_set, in_house_cost_set
from .national import specialist_service_save
from .prices import approved_places, price_schedule_create, price_schedule_end, soft_block_create

__all__ = [
    "account_manager_set",
    "alert_dismiss",
    "approved_places",
    "budget_set",
    "contract_adopt_terms",
    "contract_alerts_raise",
    "dispute_add_step",
    "dispute_close",
    "dispute_raise",
    "enrolment_apply",
    "enrolment_set_status",
    "framework_create",
    "framework_extend",
    "in_house_cost_set",
    "lot_add",
    "meeting_action_done",
    "meeting_record",
    "price_schedule_create",
    "price_schedule_end",
    "soft_block_create",
    "specialist_service_save",
    "terms_version_publish",
]
