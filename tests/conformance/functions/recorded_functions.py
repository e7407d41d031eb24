"""Lambda handlers with the behaviour the recorded tests describe (written here from their description).

``respond_with_body``: answers the JSON document the client sent as the request body
(base64-decoded first when the event says so): the client decides the proxy response.
"""

from __future__ import annotations

import base64
import json


def respond_with_body(event, context):
    body = event["body"]
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body)
    return json.loads(body)


def echo_event(event, context):
    """Answers the proxy event it received, as the JSON body of a 200."""
    return {"statusCode": 200, "body": json.dumps(event)}
