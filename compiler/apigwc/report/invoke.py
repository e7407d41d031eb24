"""How ``apigwc invoke`` prints an `Execution`.

* text: the HTTP response on stdout (status line, headers, a blank line, the body as
  bytes, like ``curl -i``) and the execution log on stderr under a heading, so that
  ``apigwc invoke ... > response.txt`` keeps only the response;
* json: one object ``{"status": int, "headers": {...}, "body": str, "log": [...]}`` on
  stdout; log entries are ``{"step": ..., "message": ...}``.
"""

from __future__ import annotations

import json

from ..runtime.execute import Execution
from ..runtime.http import Response


def response_text(response: Response) -> bytes:
    """``HTTP/1.1 200 OK``, the headers, a blank line, the body (unchanged bytes)."""
    lines = [f"HTTP/1.1 {response.status} {response.reason}".rstrip()]
    lines.extend(f"{name}: {value}" for name, value in response.headers)
    head = "\n".join(lines)
    return (head + "\n\n").encode("utf-8") + response.body


def log_text(execution: Execution) -> str:
    """The execution log under its heading, one message per line."""
    heading = f"Execution log for request {execution.request_id}"
    lines = [heading, "-" * len(heading)]
    lines.extend(entry.message for entry in execution.log)
    return "\n".join(lines) + "\n"


def json_text(execution: Execution) -> str:
    """The JSON document of an execution (one line per key, indented)."""
    return json.dumps(execution.to_json(), indent=2, ensure_ascii=False) + "\n"
