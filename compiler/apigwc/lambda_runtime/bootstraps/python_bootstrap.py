"""apigwc's Lambda runtime client for Python: the loop the Lambda Python runtime runs.

Started by apigwc (never imported) with the machine's python3, in the function's code
folder, with Lambda's environment and ``AWS_LAMBDA_RUNTIME_API``.  It imports
``_HANDLER`` (``module.function``, ``pkg/module.function``, or apigwc's
``module:attribute.path``), reports an init error the way the Python runtime words it,
then loops: GET .../invocation/next, call the handler, POST the result or the error.
Standard library only, so a function's own dependencies are the only ones it sees.
"""

import json
import logging
import os
import socket
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
PREFIX = "/2018-06-01/runtime"


class _Api:
    """One keep-alive HTTP/1.1 connection to the Runtime API (a raw socket: http.client's header parsing costs more than the rest of an invocation)."""

    def __init__(self):
        host, _, port = API.partition(":")
        self.address = (host, int(port or 80))
        self.host = API
        self.sock = None
        self.file = None

    def _connect(self):
        self.sock = socket.create_connection(self.address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")

    def call(self, method, path, body=None, headers=None):
        """(status, headers with lower-case names, body); exits when the Runtime API is gone."""
        try:
            if self.sock is None:
                self._connect()
            data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
            head = [f"{method} {PREFIX}{path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Length: {len(data)}\r\n"]
            for name, value in (headers or {}).items():
                head.append(f"{name}: {value}\r\n")
            head.append("\r\n")
            self.sock.sendall("".join(head).encode("utf-8") + data)
            status_line = self.file.readline()
            if not status_line:
                raise ConnectionError("closed")
            status = int(status_line.split(b" ", 2)[1])
            found = {}
            while True:
                line = self.file.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("utf-8").partition(":")
                found[name.strip().lower()] = value.strip()
            length = int(found.get("content-length") or 0)
            payload = self.file.read(length) if length else b""
            return status, found, payload
        except (OSError, ValueError, IndexError):
            os._exit(0)  # the Runtime API is gone: apigwc stopped this worker


def _error(kind, message, trace=()):
    return {"errorMessage": message, "errorType": kind, "requestId": "", "stackTrace": list(trace)}


class LambdaContext:
    """The ``context`` argument, with the attributes of the Lambda Python runtime's [Doc]."""

    def __init__(self, headers):
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.aws_request_id = headers.get("lambda-runtime-aws-request-id")
        self.invoked_function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self._deadline_ms = int(headers.get("lambda-runtime-deadline-ms") or 0)
        identity = headers.get("lambda-runtime-cognito-identity")
        self.identity = _Object(json.loads(identity)) if identity else None
        client = headers.get("lambda-runtime-client-context")
        self.client_context = _Object(json.loads(client)) if client else None

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def log(self, message):
        sys.stdout.write(str(message))

    def __repr__(self):
        return f"LambdaContext([aws_request_id={self.aws_request_id},function_name={self.function_name}])"


class _Object:
    def __init__(self, data):
        for key, value in (data or {}).items():
            setattr(self, key, value)


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = _RequestIdFilter.request_id
        return True


def _logging():
    """The root logger of the Python runtime: ``[LEVEL]\\ttime\\trequest id\\tmessage`` on stdout [Obs]."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"
        )
    )
    handler.formatter.converter = time.gmtime
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _load(spec):
    """The handler named by ``spec``, or an init error in the runtime's words [Obs]."""
    if ":" in spec:
        module_name, _, attribute = spec.partition(":")
    else:
        module_name, _, attribute = spec.rpartition(".")
    module_name = module_name.replace("/", ".")
    if not module_name or not attribute:
        raise _InitError(
            _error(
                "Runtime.MalformedHandlerName", f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)"
            )
        )
    try:
        import importlib

        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise _InitError(
            _error(
                "Runtime.UserCodeSyntaxError",
                f"Syntax error in module '{module_name}': {exc}",
                traceback.format_exception_only(type(exc), exc),
            )
        ) from None
    except ImportError as exc:
        raise _InitError(
            _error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
        ) from None
    except BaseException as exc:  # the module's own code failed
        frames = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])
        raise _InitError(
            {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": "", "stackTrace": frames}
        ) from None
    target = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise _InitError(
                _error("Runtime.HandlerNotFound", f"Handler '{attribute}' missing on module '{module_name}'")
            )
    if not callable(target):
        raise _InitError(_error("Runtime.HandlerNotFound", f"Handler '{attribute}' missing on module '{module_name}'"))
    return target


class _InitError(Exception):
    def __init__(self, error):
        super().__init__(error["errorMessage"])
        self.error = error


def main():
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    sys.path[0] = task_root  # the function's folder first, as in Lambda (the bootstrap's own folder out)
    _logging()
    api = _Api()
    try:
        handler = _load(os.environ.get("_HANDLER", ""))
    except _InitError as exc:
        body = json.dumps(exc.error)
        sys.stdout.write(f"[ERROR] {exc.error['errorType']}: {exc.error['errorMessage']}\n")
        sys.stdout.flush()
        api.call(
            "POST",
            "/init/error",
            body,
            {"Lambda-Runtime-Function-Error-Type": exc.error["errorType"], "Content-Type": "application/json"},
        )
        sys.exit(1)
    while True:
        _, headers, raw = api.call("GET", "/invocation/next")
        request_id = headers.get("lambda-runtime-aws-request-id", "")
        _RequestIdFilter.request_id = request_id
        trace = headers.get("lambda-runtime-trace-id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            event = json.loads(raw) if raw else None
            result = handler(event, LambdaContext(headers))
        except Exception as exc:
            frames = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])
            error = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "requestId": request_id,
                "stackTrace": frames,
            }
            sys.stdout.write(
                f"[ERROR] {type(exc).__name__}: {exc}\nTraceback (most recent call last):\n" + "".join(frames)
            )
            sys.stdout.flush()
            _post_error(api, request_id, error)
            continue
        if type(result).__name__ == "coroutine":
            result.close()  # the Python runtime does not await it: it fails to serialize it [Obs]
        try:
            body = json.dumps(result)
        except (TypeError, ValueError, OverflowError) as exc:
            error = {
                "errorMessage": f"Unable to marshal response: {exc}",
                "errorType": "Runtime.MarshalError",
                "requestId": request_id,
                "stackTrace": [],
            }
            _post_error(api, request_id, error)
            continue
        api.call(
            "POST", f"/invocation/{request_id}/response", body.encode("utf-8"), {"Content-Type": "application/json"}
        )


def _post_error(api, request_id, error):
    api.call(
        "POST",
        f"/invocation/{request_id}/error",
        json.dumps(error).encode("utf-8"),
        {"Lambda-Runtime-Function-Error-Type": error["errorType"], "Content-Type": "application/json"},
    )


if __name__ == "__main__":
    main()
