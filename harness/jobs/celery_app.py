"""The Celery application both sides share: the API publishes with it, workers consume with it.

Crash safety lives in this configuration:

- late acknowledgement (``task_acks_late``): a message is acknowledged when its task returns,
  so a worker that dies mid-grade leaves it in the broker;
- ``task_reject_on_worker_lost``: a pool process killed mid-task gives its message back at once;
- prefetch 1 (``worker_prefetch_multiplier``): a slot holds one message, the one it grades;
- a visibility timeout longer than the longest grading run, so Redis does not hand a message
  to a second worker while the first still grades it (it would be harmless: claims are
  compare-and-set in the database, but it would waste a slot).

Messages are only signals: the database is the queue of record, the API re-publishes what a
broker lost, and grading is idempotent.
"""

from __future__ import annotations

from celery import Celery

__all__ = ["QUEUE", "TASK_NAME", "make_celery"]

TASK_NAME = "harness.grade_submission"
QUEUE = "harness.grading"


def make_celery(broker_url: str, *, visibility_timeout_s: int) -> Celery:
    app = Celery("harness", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        # Running jobs talk to the API, not the broker: a broker outage must not stop them.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options={
            "visibility_timeout": visibility_timeout_s,
            "socket_connect_timeout": 5,
        },
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        # A task stuck past its message's invisibility is killed; the API's watchdog re-queues it.
        task_time_limit=max(60, visibility_timeout_s - 60),
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
        worker_enable_remote_control=False,
    )
    return app
