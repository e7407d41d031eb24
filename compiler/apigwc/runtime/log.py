"""The execution log of one request, in the wording of the API Gateway console's Test.

Each entry names the pipeline step it belongs to (`Step`) and holds one message such as
``Method request query string: {count=5}``.  Maps print the way the service's Java code
prints them (``{a=1, b=2}``), as in the console: `apigwc.value_text.log_map`.
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class Step(enum.StrEnum):
    """The pipeline steps, in the order they run (docs/runtime.md)."""

    REQUEST = "request"
    ROUTE = "route"
    METHOD_REQUEST = "method-request"
    AUTHORIZATION = "authorization"
    VALIDATION = "validation"
    INTEGRATION_REQUEST = "integration-request"
    ENDPOINT = "endpoint"
    INTEGRATION_RESPONSE = "integration-response"
    METHOD_RESPONSE = "method-response"
    GATEWAY_RESPONSE = "gateway-response"


class LogEntry(NamedTuple):
    """One line of the execution log (a named tuple: a request makes about twenty)."""

    step: Step
    message: str

    def to_json(self) -> dict[str, str]:
        return {"step": self.step.value, "message": self.message}


class ExecutionLog:
    """Collects the entries of one request (append-only)."""

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: list[LogEntry] = []

    def add(self, step: Step, message: str) -> None:
        self.entries.append(LogEntry(step, message))

    def freeze(self) -> tuple[LogEntry, ...]:
        return tuple(self.entries)


def body_text(body: bytes) -> str:
    """A payload for the log: its UTF-8 text, or a note for binary data."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return f"[binary data, {len(body):,} bytes]"
