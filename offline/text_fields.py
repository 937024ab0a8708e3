"""How each text field of this app's models is guarded (see ``lms.text_fields``)."""

EXEMPT = {
    "IdempotentRequest.key": "a client-made key checked against a pattern by the API (offline.idempotency)",
    "IdempotentRequest.endpoint": "the operation's fixed name, written by the code",
    "IdempotentRequest.fingerprint": "a SHA-256 digest computed by the server",
    "IdempotentRequest.body": "the API's own JSON answer, stored to be sent again; never typed",
}
