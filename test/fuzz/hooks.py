"""Schemathesis hooks for the fuzz tier (loaded through SCHEMATHESIS_HOOKS=hooks, PYTHONPATH=test/fuzz).

no_secret_in_response: fails when a response's headers or body contain any value of
ZIO_FUZZ_SECRETS (newline separated: the API token, the state key, the client and webhook
secrets, the stored Zoom tokens), so a leak is a fuzz failure like a 500.
"""
import os

import schemathesis

SECRETS = [s for s in os.environ.get("ZIO_FUZZ_SECRETS", "").split("\n") if len(s) >= 8]


@schemathesis.check
def no_secret_in_response(ctx, response, case):
    text = response.content.decode("utf-8", "replace") + "\n" + repr(dict(response.headers))
    for secret in SECRETS:
        if secret in text:
            raise AssertionError(f"the response contains a secret value ({len(secret)} characters, starting {secret[:3]!r})")
    return None
