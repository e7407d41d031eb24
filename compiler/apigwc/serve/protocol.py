"""The HTTP/1.1 connection of the local gateway: uvicorn's h11 protocol with a head-read timeout.

uvicorn closes a connection that stays idle after a response (``timeout_keep_alive``),
but any byte received cancels that timer, and nothing bounds the time a client takes to
send a request's head: a client trickling one header byte at a time ("slowloris") holds
its connection, and its file descriptor, forever.  `GatewayH11Protocol` arms a timer when
a connection opens and after each response; when it fires before the next request's
head is complete (h11 still in ``IDLE`` for the client), the connection is closed
without an answer, as a server closes a request it gave up waiting for [Inf: API
Gateway's front end closes idle and slow connections; its exact timeouts are not
documented].  Likewise a request body must arrive within `BODY_TIMEOUT` of its head
(a client trickling a body would otherwise hold its request open forever); the
application then sees the client disconnect and answers nobody.  Subclassing is uvicorn's documented extension point (``Config(http=...)``).

Header names keep the case the client sent: ASGI gives an application lower-cased names
(uvicorn lower-cases h11's), but API Gateway passes a REST API's Lambda proxy event and
``$input.params().header`` the names as received (docs/runtime.md, docs/vtl.md), and handlers index them so (SAM CLI's own fixture reads
``event["headers"]["Content-Type"]``).  The names as sent are put beside uvicorn's scope in
``scope["extensions"]["apigwc.header_names"]``, in the same order; uvicorn's own
``scope["headers"]`` stay as it needs them (its ``connection: close`` check).
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: seconds a client has to send a complete request head (from connect, or from the previous response)
HEAD_TIMEOUT = 5.0
#: seconds an idle keep-alive connection is kept (uvicorn's timeout_keep_alive)
KEEP_ALIVE_TIMEOUT = 5
#: seconds a client has to send a request's body once its head is complete (10 MB at 3 Mbit/s)
BODY_TIMEOUT = 30.0


class GatewayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing connections that do not send a request head in time."""

    head_timeout: float = HEAD_TIMEOUT
    body_timeout: float = BODY_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._raw_names: list[bytes] | None = None
        next_event = self.conn.next_event

        def recording_next_event():
            event = next_event()
            if isinstance(event, h11.Request):
                self._raw_names = [name for name, _ in event.headers.raw_items()]
            return event

        self.conn.next_event = recording_next_event  # type: ignore[method-assign]
        self._arm_head_timer()

    def handle_events(self) -> None:
        scope = self.scope if hasattr(self, "scope") else None
        super().handle_events()
        # a new request's scope (the ASGI task it starts has not run yet: this is synchronous)
        if getattr(self, "scope", None) is not scope and self._raw_names is not None:
            self.scope.setdefault("extensions", {})["apigwc.header_names"] = self._raw_names
        self._raw_names = None
        if self.conn.their_state is h11.SEND_BODY:
            if self._body_timer is None and not self.transport.is_closing():
                self._body_timer = self.loop.call_later(self.body_timeout, self._body_expired)
        elif self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _body_expired(self) -> None:
        self._body_timer = None
        if self.conn.their_state is h11.SEND_BODY and not self.transport.is_closing():
            self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        for name in ("_head_timer", "_body_timer"):
            timer = getattr(self, name, None)
            if timer is not None:
                timer.cancel()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        timer = getattr(self, "_head_timer", None)
        if timer is not None:
            timer.cancel()
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_expired)

    def _head_expired(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        waiting_for_head = self.conn.their_state in (h11.IDLE, h11.DONE) and (
            self.cycle is None or self.cycle.response_complete
        )
        if waiting_for_head:
            self.transport.close()
