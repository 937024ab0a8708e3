"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

EXEMPT = {
    "OutboxMessage.task": "a task's dotted name, set by the code that enqueues it",
    "OutboxMessage.args": "task arguments (ids), set by the code that enqueues it",
    "OutboxMessage.kwargs": "task arguments (ids), set by the code that enqueues it",
    "OutboxMessage.last_error": "the exception a relay attempt raised",
    "OutboxMessage.dedupe_key": "a key made by the code that enqueues it",
}
