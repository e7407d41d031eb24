"""apigwc's Lambda runtime client for Python: the loop the Lambda Python runtime runs.

Started by apigwc (never imported) with the machine's python3, in the function's code
folder, with Lambda's environment and ``AWS_LAMBDA_RUNTIME_API``.  It imports
``_HANDLER`` (``module.function``, ``pkg/module.function``, or apigwc's
``module:attribute.path``), reports an init error the way the Python runtime words it,
then loops: GET .../invocation/next, call the handler, POST the result or the error.
Standard library only, so a function's own dependencies are the only ones it sees.
"""

import http.client
import json
import logging
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
PREFIX = "/2018-06-01/runtime"


class _Api:
    """One keep-alive HTTP/1.1 connection to the Runtime API."""

    def __init__(self):
        host, _, port = API.partition(":")
        self.conn = http.client.HTTPConnection(host, int(port or 80))

    def call(self, method, path, body=None, headers=None):
        try:
            self.conn.request(method, PREFIX + path, body=body, headers=headers or {})
            resp = self.conn.getresponse()
            return resp, resp.read()
        except (OSError, http.client.HTTPException):
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
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.identity = _Object(json.loads(headers["Lambda-Runtime-Cognito-Identity"])) if headers.get("Lambda-Runtime-Cognito-Identity") else None
        self.client_context = _Object(json.loads(headers["Lambda-Runtime-Client-Context"])) if headers.get("Lambda-Runtime-Client-Context") else None

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
    handler.setFormatter(logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S"))
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
        raise _InitError(_error("Runtime.MalformedHandlerName", f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)"))
    try:
        import importlib

        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise _InitError(_error("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", traceback.format_exception_only(type(exc), exc))) from None
    except ImportError as exc:
        raise _InitError(_error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")) from None
    except BaseException as exc:  # the module's own code failed
        frames = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])
        raise _InitError({"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": "", "stackTrace": frames}) from None
    target = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise _InitError(_error("Runtime.HandlerNotFound", f"Handler '{attribute}' missing on module '{module_name}'"))
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
        api.call("POST", "/init/error", body, {"Lambda-Runtime-Function-Error-Type": exc.error["errorType"], "Content-Type": "application/json"})
        sys.exit(1)
    while True:
        resp, raw = api.call("GET", "/invocation/next")
        headers = {k: v for k, v in resp.getheaders()}
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
        _RequestIdFilter.request_id = request_id
        trace = headers.get("Lambda-Runtime-Trace-Id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            event = json.loads(raw) if raw else None
            result = handler(event, LambdaContext(headers))
        except Exception as exc:
            frames = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])
            error = {"errorMessage": str(exc), "errorType": type(exc).__name__, "requestId": request_id, "stackTrace": frames}
            sys.stdout.write(f"[ERROR] {type(exc).__name__}: {exc}\nTraceback (most recent call last):\n" + "".join(frames))
            sys.stdout.flush()
            _post_error(api, request_id, error)
            continue
        if type(result).__name__ == "coroutine":
            result.close()  # the Python runtime does not await it: it fails to serialize it [Obs]
        try:
            body = json.dumps(result)
        except (TypeError, ValueError, OverflowError) as exc:
            error = {"errorMessage": f"Unable to marshal response: {exc}", "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": []}
            _post_error(api, request_id, error)
            continue
        api.call("POST", f"/invocation/{request_id}/response", body.encode("utf-8"), {"Content-Type": "application/json"})


def _post_error(api, request_id, error):
    api.call(
        "POST",
        f"/invocation/{request_id}/error",
        json.dumps(error).encode("utf-8"),
        {"Lambda-Runtime-Function-Error-Type": error["errorType"], "Content-Type": "application/json"},
    )


if __name__ == "__main__":
    main()
