"""Lambda handlers for tests/local/test_lambda.py (imported as handlers.lambda_cases:NAME).

Each one does one thing a real function may do: echo its event, answer a given proxy
response, raise, exit, sleep past its limit, return something that is not JSON.
"""

import json
import sys
import threading
import time

#: the events received, newest last (the tests read them)
EVENTS = []
#: proxy responses by the "case" query parameter of the request (see `respond`)
CASES = {
    "object-body": {"statusCode": 200, "body": {"a": 1}},
    "no-status": {"body": "x"},
    "status-text": {"statusCode": "abc", "body": "x"},
    "status-float": {"statusCode": 200.5, "body": "x"},
    "status-range": {"statusCode": 99, "body": "x"},
    "status-bool": {"statusCode": True, "body": "x"},
    "extra-key": {"statusCode": 200, "body": "x", "cookies": ["a=b"]},
    "headers-list": {"statusCode": 200, "headers": ["a"], "body": "x"},
    "header-object": {"statusCode": 200, "headers": {"X-A": {"b": 1}}, "body": "x"},
    "multi-not-list": {"statusCode": 200, "multiValueHeaders": {"X-A": "b"}, "body": "x"},
    "base64-flag-text": {"statusCode": 200, "body": "eA==", "isBase64Encoded": "yes"},
    "base64-invalid": {
        "statusCode": 200,
        "headers": {"Content-Type": "image/png"},
        "body": "not base64!",
        "isBase64Encoded": True,
    },
    "list": [200, "x"],
    "string": "200",
    "null": None,
    "status-digits": {"statusCode": "201", "body": "created"},
    "merge": {
        "statusCode": 201,
        "headers": {"X-One": "1", "x-both": "single", "X-Num": 5, "X-Flag": True, "X-None": None},
        "multiValueHeaders": {"X-Both": ["m1", "m2"], "Set-Cookie": ["a=1", "b=2"]},
        "body": '{"ok": true}',
    },
    "minimal": {"statusCode": 204},
    "png": {
        "statusCode": 200,
        "headers": {"Content-Type": "image/png"},
        "body": "iVBORw0KGgo=",
        "isBase64Encoded": True,
    },
    "error-type": {"statusCode": 404, "headers": {"x-amzn-ErrorType": "NotFound"}, "body": "{}"},
}


def echo(event, context):
    """A proxy response whose body is the event and the context's attributes."""
    EVENTS.append(event)
    remaining = context.get_remaining_time_in_millis()
    body = {
        "event": event,
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "identity": context.identity,
            "client_context": context.client_context,
            "remaining_ok": 0 < remaining <= 3000,
        },
    }
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def respond(event, context):
    """The proxy response named by ?case=..."""
    return CASES[event["queryStringParameters"]["case"]]


def custom(event, context):
    """A Lambda custom integration function: echoes its event, or fails as the event says."""
    EVENTS.append(event)
    fail = event.get("fail") if isinstance(event, dict) else None
    if fail == "invalid":
        raise ValueError("Invalid note: spam is not allowed")
    if fail == "multiline":
        raise ValueError("Invalid note:\nfirst line\nsecond line")
    if fail == "json":
        raise Exception(json.dumps({"code": 409, "reason": "conflict"}))
    if fail == "other":
        raise KeyError("missing")
    if fail == "sleep":
        time.sleep(event.get("seconds", 1))
    return {"received": event, "unicode": "caf\u00e9"}


def raises(event, context):
    raise RuntimeError("something broke")


def exits(event, context):
    sys.exit(3)


def exits_quietly(event, context):
    sys.exit()


def interrupts(event, context):
    raise KeyboardInterrupt


#: set by `sleeps` when it finishes (after its caller has given up)
FINISHED = threading.Event()


def sleeps(event, context):
    time.sleep(float((event.get("queryStringParameters") or {}).get("s", "1")))
    FINISHED.set()
    return {"statusCode": 200, "body": "late"}


def not_json(event, context):
    return {"statusCode": 200, "body": "x", "when": {1, 2}}


async def coroutine(event, context):
    return {"statusCode": 200, "body": "never awaited"}


def decimal(event, context):
    from decimal import Decimal

    return {"statusCode": 200, "body": "x", "price": Decimal("1.5")}


class Service:
    """A handler that is a method of an object (module:attribute.path)."""

    def handle(self, event, context):
        return {"statusCode": 200, "body": "from a method"}


service = Service()
NOT_CALLABLE = 42
