"""Where worker output goes: lines on a stream, written once per event-loop turn."""

from __future__ import annotations

import asyncio
import sys
import threading


class StreamSink:
    """Function output lines to a stream, written once per event-loop turn rather than once per line."""

    __slots__ = ("stream", "pending", "lock", "scheduled")

    def __init__(self, stream_name: str) -> None:
        self.stream = stream_name
        self.pending: list[str] = []
        self.lock = threading.Lock()
        self.scheduled = False

    def __call__(self, line: str) -> None:
        with self.lock:
            self.pending.append(line)
            if self.scheduled:
                return
            self.scheduled = True
        try:
            asyncio.get_running_loop().call_soon(self.flush)
        except RuntimeError:  # no loop: write now
            self.flush()

    def flush(self) -> None:
        with self.lock:
            lines, self.pending, self.scheduled = self.pending, [], False
        if lines:
            stream = getattr(sys, self.stream)  # looked up each time: tests and the CLI swap sys.stdout
            stream.write("\n".join(lines) + "\n")
            stream.flush()


#: function output and START/END/REPORT lines on the server's stdout (``apigwc serve``)
print_sink = StreamSink("stdout")
#: function output on stderr (``apigwc invoke``, whose stdout is the response)
stderr_sink = StreamSink("stderr")
