"""Gunicorn's settings for the web service (Dockerfile, compose.yaml and bench/ use them).

Sync workers: each request waits in the one accept queue until a process is free, which keeps
the slowest requests' waits short under load (threaded workers measured a longer tail in
bench/matching.py). WEB_CONCURRENCY processes, by default one per CPU plus one.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
max_requests = 5000  # recycle a process now and then, against slow leaks
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Once a worker has loaded Django, freeze what it loaded: the garbage collector then skips
    those objects, and pauses less often and for less long while serving."""
    import gc

    gc.collect()
    gc.freeze()
