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


def select_by_status(event, context):
    """Passes for "200"; fails with a message naming the status for "400" and "500"."""
    wanted = event["statusCode"]
    if wanted == "400":
        raise Exception("Error: Raising four hundred from within the Lambda function")
    if wanted == "500":
        raise Exception("Error: Raising five hundred from within the Lambda function")
    if wanted == "200":
        return "Pass"
    return "Error Value in the json request should either be 400 or 500 to demonstrate"


def answer_by_http_status(event, context):
    """A custom-integration function: "customerror" for an httpStatus of 400 or more, else "noerror"."""
    failed = int(event.get("body").get("httpStatus")) >= 400
    return {"statusCode": 200, "body": "customerror" if failed else "noerror"}


def status_echo_server():
    """An HTTP server on 127.0.0.1 that answers ``/<anything>/<status>`` with that status and
    ``{"message": "", "status_code": <status>}`` (the recorded test's status-code echo)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Echo(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            status = int(self.path.rstrip("/").rsplit("/", 1)[-1])
            body = json.dumps({"message": "", "status_code": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def echo_payload(event, context):
    """Answers the event it received (a custom integration's payload)."""
    return event
