import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="apps.core.tasks.debug", bind=True)
def debug(self, message: str = "ping") -> dict[str, str]:
    """A harmless task to prove a worker is consuming; scheduled hourly by beat."""
    logger.info("debug task", extra={"task_id": self.request.id, "message": message})
    return {"message": message, "task_id": str(self.request.id)}
