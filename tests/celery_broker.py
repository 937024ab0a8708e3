"""For tests that publish through a real transport instead of running tasks eagerly."""

import contextlib

MEMORY = "memory://"
UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


def _reset_pools(app) -> None:
    """Forget the app's connection and producer pools, so the next publish uses the
    broker URL set now (kombu keeps one pool per URL; none is closed here)."""
    app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        app.__dict__["amqp"]._producer_pool = None


@contextlib.contextmanager
def celery_publishing_to(url: str):
    """Within the block this process publishes tasks to ``url`` (no eager run) and the
    outbox's publish pause starts cleared; both are put back afterwards."""
    from lms.celery import app
    from outbox.services import publish_pause

    # The write and read URLs as well: Celery's ``broker_url`` prefers the
    # CELERY_BROKER_URL environment variable (set in CI's PostgreSQL leg) over the
    # configuration, so setting it alone would still publish to the shared broker.
    keys = {
        "broker_url": url,
        "broker_write_url": url,
        "broker_read_url": url,
        "task_always_eager": False,
    }
    saved = {key: app.conf.get(key) for key in keys}
    _reset_pools(app)
    publish_pause.clear()
    for key, value in keys.items():
        app.conf[key] = value
        app.conf[f"CELERY_{key.upper()}"] = value
    try:
        yield app
    finally:
        _reset_pools(app)
        publish_pause.clear()
        for key, value in saved.items():
            app.conf[key] = value
            app.conf[f"CELERY_{key.upper()}"] = value


def drain_memory_queue(app, queue: str = "celery") -> list[tuple[str, list, dict]]:
    """Take every message waiting in the in-memory broker's ``queue``: (task, args, kwargs)."""
    taken = []
    with app.connection_for_read(MEMORY) as connection:
        simple = connection.SimpleQueue(queue, no_ack=True)
        try:
            while True:
                try:
                    message = simple.get_nowait()
                except simple.Empty:
                    break
                args, kwargs, _embed = message.payload
                taken.append((message.headers["task"], list(args), dict(kwargs)))
        finally:
            simple.close()
    return taken
