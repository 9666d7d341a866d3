"""Schemathesis hooks for the fuzz tier (loaded through SCHEMATHESIS_HOOKS=hooks, PYTHONPATH=test/fuzz).

before_call: signs positive cases for the Zoom webhook the way Zoom does (v0, HMAC-SHA256 with the
app's Secret Token from ZIO_FUZZ_WEBHOOK_SECRET), so fuzzing reaches the event handling behind the
signature check instead of stopping at 401. Negative cases stay unsigned as generated.

no_secret_in_response: fails when a response's headers or body contain any value of
ZIO_FUZZ_SECRETS (newline separated: the API token, the state key, the client and webhook
secrets, the stored Zoom tokens), so a leak is a fuzz failure like a 500.
"""
import hashlib
import hmac
import json
import os
import time

import schemathesis

SECRETS = [s for s in os.environ.get("ZIO_FUZZ_SECRETS", "").split("\n") if len(s) >= 8]
WEBHOOK_SECRET = os.environ.get("ZIO_FUZZ_WEBHOOK_SECRET", "")
WEBHOOK_PATH = "/zoom-integration/webhook"


@schemathesis.hook
def before_call(ctx, case, kwargs):
    if not WEBHOOK_SECRET or case.path != WEBHOOK_PATH or case.method.upper() != "POST":
        return None
    if case.meta is not None and not case.meta.generation.mode.is_positive:
        return None
    # NB: the signature covers the exact bytes sent, so the body is serialized here and passed as data.
    body = json.dumps(case.body).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(WEBHOOK_SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    case.headers = {**(case.headers or {}), "x-zm-request-timestamp": timestamp, "x-zm-signature": f"v0={digest}"}
    kwargs["data"] = body
    return None


@schemathesis.check
def no_secret_in_response(ctx, response, case):
    text = response.content.decode("utf-8", "replace") + "\n" + repr(dict(response.headers))
    for secret in SECRETS:
        if secret in text:
            raise AssertionError(f"the response contains a secret value ({len(secret)} characters, starting {secret[:3]!r})")
    return None
