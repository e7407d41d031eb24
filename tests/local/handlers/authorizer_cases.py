"""Lambda authorizers for tests/local/test_authorizers.py (imported as handlers.authorizer_cases:NAME).

`token` answers by the token's value; `request` by a header; every event is recorded in
EVENTS so that the tests can count calls and read the exact event.
"""

import time

EVENTS = []


def _policy(principal, effect, resource, context=None, **extra):
    out = {
        "principalId": principal,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        **extra,
    }
    if context is not None:
        out["context"] = context
    return out


def decide(token, method_arn):
    api, stage = method_arn.split(":")[5].split("/")[:2]
    everything = method_arn.split(":")[0:5] + [f"{api}/{stage}/*"]
    if token == "allow":
        return _policy(
            "user-1", "Allow", method_arn, {"plan": "gold", "count": 3, "ratio": 1.5, "admin": True, "none": None}
        )
    if token == "allow-all":
        return _policy("user-2", "Allow", ":".join(everything))
    if token == "allow-list":
        return _policy("user-3", "Allow", ["arn:aws:execute-api:us-east-1:123456789012:other/*", method_arn])
    if token == "allow-get":
        return _policy("user-4", "Allow", f"arn:aws:execute-api:*:*:{api}/{stage}/GET/*")
    if token == "allow-one-char":
        return _policy("user-5", "Allow", method_arn[:-1] + "?")
    if token == "deny":
        return _policy("user-6", "Deny", method_arn)
    if token == "deny-and-allow":
        out = _policy("user-7", "Allow", ":".join(everything))
        out["policyDocument"]["Statement"].append({"Action": "execute-api:*", "Effect": "Deny", "Resource": method_arn})
        return out
    if token == "other-resource":
        return _policy("user-8", "Allow", "arn:aws:execute-api:us-east-1:123456789012:other/prod/GET/x")
    if token == "other-action":
        out = _policy("user-9", "Allow", method_arn)
        out["policyDocument"]["Statement"][0]["Action"] = "execute-api:InvalidateCache"
        return out
    if token == "statement-object":
        out = _policy("user-10", "Allow", method_arn)
        out["policyDocument"]["Statement"] = out["policyDocument"]["Statement"][0]
        return out
    if token == "key":
        return _policy("user-11", "Allow", method_arn, usageIdentifierKey="key-from-authorizer")
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token == "boom":
        raise RuntimeError("boom")
    if token == "slow":
        time.sleep(2)
        return _policy("slow", "Allow", method_arn)
    if token == "no-principal":
        out = _policy("x", "Allow", method_arn)
        del out["principalId"]
        return out
    if token == "no-policy":
        return {"principalId": "x"}
    if token == "context-object":
        return _policy("x", "Allow", method_arn, {"nested": {"a": 1}})
    if token == "context-array":
        return _policy("x", "Allow", method_arn, {"list": [1]})
    if token == "bad-effect":
        return _policy("x", "Maybe", method_arn)
    if token == "returns-unauthorized":
        return "Unauthorized"
    raise Exception("Unauthorized")


def token(event, context):
    EVENTS.append(event)
    return decide(event["authorizationToken"].removeprefix("Bearer "), event["methodArn"])


def request(event, context):
    EVENTS.append(event)
    return decide((event.get("headers") or {}).get("X-Token", "allow"), event["methodArn"])
