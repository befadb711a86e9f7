"""Every write of monitoring goes through one of these functions (web, API, tasks, seed)."""

from .feedback import placement_feedback_give
from .meetings import scorecard_meeting_link
from .returns import (
    return_accept,
    return_open,
    return_query_raise,
    return_query_reply,
    return_submit_file,
    return_submit_records,
    returns_open_for_quarter,
    returns_remind,
)
from .scorecards import scorecard_refresh

__all__ = [
    "placement_feedback_give",
    "return_accept",
    "return_open",
    "return_query_raise",
    "return_query_reply",
    "return_submit_file",
    "return_submit_records",
    "returns_open_for_quarter",
    "returns_remind",
    "scorecard_meeting_link",
    "scorecard_refresh",
]
