"""Local stand-ins for the Notes API's Lambda functions (used by `apigwc serve`).

NotesFunction is a Lambda *custom* (non-proxy) integration: it receives the output of
the request mapping template and returns a plain result, or raises an error whose
message the integration responses select on ("Invalid note:.*" -> 400).
TokenAuthorizer is a TOKEN authorizer: it gets {"type": "TOKEN", "authorizationToken",
"methodArn"} and returns an IAM policy.
"""

import itertools

_NOTES = {}
_IDS = itertools.count(1)


def handler(event, context):
    owner = event.get("owner") or "anonymous"
    if event.get("action") == "create":
        note = event.get("note") or {}
        if "spam" in note.get("title", "").lower():
            raise ValueError("Invalid note: spam is not allowed")
        note = {"id": str(next(_IDS)), **note}
        _NOTES.setdefault(owner, []).append(note)
        return note
    limit = int(event.get("limit") or 100)
    return {"items": _NOTES.get(owner, [])[:limit]}


def authorize(event, context):
    token = event["authorizationToken"].removeprefix("Bearer ")
    if token == "deny":
        effect = "Deny"
    elif token.startswith("user-"):
        effect = "Allow"
    else:
        raise Exception("Unauthorized")  # API Gateway answers 401
    # Allow every method of the stage, not just event["methodArn"]: API Gateway caches this
    # policy for the token (authorizerResultTtlInSeconds) and reuses it for the other
    # methods, so a policy naming only the first methodArn would deny the next call to
    # another method with 403.
    api_arn, stage = event["methodArn"].split("/")[:2]
    return {
        "principalId": token,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": f"{api_arn}/{stage}/*"}],
        },
        "context": {"plan": "standard"},
    }
