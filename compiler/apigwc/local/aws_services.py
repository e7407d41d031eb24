"""AWS service integrations (type AWS, not Lambda): DynamoDB, SQS, Step Functions... against a local endpoint.

An AWS integration's URI names a service and either an action or a path [Doc]::

    arn:aws:apigateway:{region}:{service}:action/{Action}      (body: the action's JSON parameters)
    arn:aws:apigateway:{region}:{subdomain.}{service}:path/{path}

Locally the call goes to the endpoint configured for the service in
``x-apigwc.local.endpoints`` (``dynamodb: http://127.0.0.1:4566``: LocalStack, moto,
DynamoDB Local...).  Without one the integration answers **501** with a message that
names the service and action and how to configure an endpoint [apigwc; not an AWS answer].

* ``action/X``: the integration request body is the JSON parameters of X (what the
  mapping template wrote).  The operation is called through a boto3 client (in a worker
  thread, within the integration timeout, no retries): blob members arrive base64-encoded
  as on the wire and are decoded for boto3.  The answer is 200 with the service's result
  as the JSON protocol writes it: no ``ResponseMetadata``, blobs base64-encoded,
  timestamps as epoch seconds [Inf].  A service error answers its HTTP status with
  ``{"__type": code, "message": text}`` [Inf: the JSON protocol's error shape]; a body
  that is not a JSON object answers 400 ``SerializationException``, parameters boto3
  rejects 400 ``ValidationException``, an unknown action 400
  ``UnknownOperationException`` [Inf].
* ``path/P``: a SigV4-signed HTTP request (the integration's verb, headers, query and
  body) to ``{endpoint}/P``; the endpoint's status, headers and body come back as they are.
  Virtual-host (``bucket.s3``) subdomains are not emulated: the path is used as it is.
* Credentials: the environment's when ``AWS_ACCESS_KEY_ID`` or ``AWS_PROFILE`` is set,
  else dummy ones (``testing``) that local emulators accept.  The integration's
  ``credentials`` role is not assumed (logged).
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from .. import gateway as gw
from ..intrinsics import fill_variables
from ..runtime.backends import within_deadline
from ..runtime.context import LOCAL_AWS_VARIABLES, LOCAL_REGION
from ..runtime.endpoint import EndpointRequest, EndpointResponse
from ..runtime.errors import GatewayError, ResponseType
from ..runtime.http import HOP_BY_HOP, Headers
from ..runtime.log import Step

if TYPE_CHECKING:
    from ..runtime.exchange import Exchange

_ARN = re.compile(
    r"^arn:[^:]*:apigateway:(?P<region>[^:]*):(?P<service>[^:]+):(?P<kind>action|path)/(?P<rest>.*)$", re.S
)
#: API Gateway names services by endpoint prefix; boto3 by its own name where they differ.
BOTO3_NAMES = {
    "states": "stepfunctions",
    "monitoring": "cloudwatch",
    "email": "ses",
    "elasticloadbalancing": "elbv2",
    "execute-api": "apigateway",
    "runtime.sagemaker": "sagemaker-runtime",
}
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass(frozen=True, slots=True)
class ServiceUri:
    """The parts of an AWS integration URI."""

    region: str
    #: the endpoint prefix (``dynamodb``, ``sqs``, ``states``); a ``bucket.s3`` subdomain is cut off
    service: str
    subdomain: str | None
    #: "action" or "path"
    kind: str
    #: the action name (``PutItem``) or the path (``bucket/key``)
    target: str


def parse_service_uri(uri: str) -> ServiceUri | None:
    """``arn:aws:apigateway:us-east-1:dynamodb:action/PutItem`` -> its parts; None for another URI."""
    m = _ARN.match(fill_variables(uri.strip(), aws=LOCAL_AWS_VARIABLES).text)
    if m is None:
        return None
    subdomain, _, service = m.group("service").rpartition(".")
    return ServiceUri(
        m.group("region") or LOCAL_REGION, service.lower(), subdomain or None, m.group("kind"), m.group("rest")
    )


def service_of(integration: gw.Integration) -> str | None:
    """The service an AWS integration calls (``dynamodb``, ``sqs``, ``states``...), or None."""
    uri = integration.uri
    if not isinstance(uri, str):  # an Intrinsic (Fn::Sub...) cannot be read locally
        return None
    parsed = parse_service_uri(uri)
    return parsed.service if parsed is not None else None


def _json_error(status: int, code: str, message: str, latency: float = 0.0) -> EndpointResponse:
    body = json.dumps({"__type": code, "message": message}, separators=(",", ":")).encode("utf-8")
    return EndpointResponse(
        status=status, headers=Headers([("Content-Type", "application/x-amz-json-1.0")]), body=body, latency_ms=latency
    )


class AwsServiceBackend:
    """The backend of AWS integrations that do not invoke Lambda."""

    __slots__ = ("endpoints", "region", "_clients", "_lock")

    def __init__(self, endpoints: Mapping[str, str], *, region: str = "us-east-1") -> None:
        self.endpoints = {k.lower(): v.rstrip("/") for k, v in endpoints.items()}
        self.region = region
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    async def invoke(self, request: EndpointRequest, ex: "Exchange") -> EndpointResponse | GatewayError:
        parsed = parse_service_uri(request.uri) if request.uri else None
        if parsed is None:
            return GatewayError(
                type=ResponseType.API_CONFIGURATION_ERROR,
                log=f"Execution failed due to configuration error: {request.uri!r} is not an AWS service integration URI (arn:aws:apigateway:{{region}}:{{service}}:action/... or path/...)",
            )
        what = f"{parsed.service} {'action ' + parsed.target if parsed.kind == 'action' else 'path /' + parsed.target}"
        endpoint = self.endpoints.get(parsed.service)
        if endpoint is None:
            message = (
                f"The AWS integration calls {what}, which apigwc cannot reach locally: "
                f"set x-apigwc.local.endpoints.{parsed.service} to the URL of a local {parsed.service} endpoint "
                f"(LocalStack, moto, ...)"
            )
            return GatewayError(
                type=ResponseType.API_CONFIGURATION_ERROR,
                status=501,
                message=message,
                log=f"Execution failed: {message}",
            )
        if request.credentials:
            ex.note(
                Step.ENDPOINT,
                f"The integration's credentials {request.credentials} are not assumed locally: the call uses the local credentials",
            )
        region = parsed.region or self.region
        ex.note(Step.ENDPOINT, f"AWS service call: {what} at {endpoint} (region {region})")
        if parsed.kind == "action":
            call = asyncio.to_thread(self._action, parsed, endpoint, region, request)
        else:
            call = asyncio.to_thread(self._path, parsed, endpoint, region, request)
        return await within_deadline(call, request)

    # -- boto3 ---------------------------------------------------------------------------

    def _client(self, service: str, endpoint: str, region: str, timeout: float) -> Any:
        key = (service, endpoint, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                import boto3
                from botocore.config import Config

                env_credentials = "AWS_ACCESS_KEY_ID" in os.environ or "AWS_PROFILE" in os.environ
                session = boto3.session.Session(region_name=region, **({} if env_credentials else DUMMY_CREDENTIALS))
                config = Config(retries={"total_max_attempts": 1}, connect_timeout=timeout, read_timeout=timeout)
                client = session.client(_boto3_name(service), endpoint_url=endpoint, region_name=region, config=config)  # type: ignore[call-overload]
                self._clients[key] = client
            return client

    def _action(
        self, parsed: ServiceUri, endpoint: str, region: str, request: EndpointRequest
    ) -> EndpointResponse | GatewayError:
        from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, ParamValidationError

        started = time.perf_counter()
        client = self._client(parsed.service, endpoint, region, request.timeout_seconds)
        model = client.meta.service_model
        action = parsed.target
        if action not in model.operation_names:
            return _json_error(400, "UnknownOperationException", f"{model.service_name} has no operation {action}")
        text = request.body.decode("utf-8", "replace").strip()
        try:
            params = json.loads(text) if text else {}
        except ValueError as exc:
            return _json_error(400, "SerializationException", f"The request body is not JSON: {exc}")
        if not isinstance(params, dict):
            return _json_error(
                400, "SerializationException", "The request body must be a JSON object of the action's parameters"
            )
        operation = model.operation_model(action)
        if operation.input_shape is not None:
            params = _from_wire(operation.input_shape, params)
        try:
            result = client._make_api_call(action, params)  # the operation by its API name
        except ParamValidationError as exc:
            return _json_error(400, "ValidationException", str(exc).replace("\n", " "), _ms(started))
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 400
            return _json_error(
                int(status), str(error.get("Code", "UnknownError")), str(error.get("Message", "")), _ms(started)
            )
        except EndpointConnectionError as exc:
            return GatewayError(
                type=ResponseType.INTEGRATION_FAILURE, log=f"Execution failed due to a network error: {exc}"
            )
        except BotoCoreError as exc:
            return GatewayError(
                type=ResponseType.INTEGRATION_FAILURE, log=f"Execution failed: the {parsed.service} call failed: {exc}"
            )
        result.pop("ResponseMetadata", None)
        if operation.output_shape is not None:
            result = _to_wire(operation.output_shape, result)
        body = json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        protocol = model.metadata.get("jsonVersion", "1.0")
        headers = Headers([("Content-Type", f"application/x-amz-json-{protocol}")])
        return EndpointResponse(status=200, headers=headers, body=body, latency_ms=_ms(started))

    def _path(
        self, parsed: ServiceUri, endpoint: str, region: str, request: EndpointRequest
    ) -> EndpointResponse | GatewayError:
        from urllib.parse import urlencode

        from botocore.auth import S3SigV4Auth, SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.exceptions import BotoCoreError
        from botocore.httpsession import URLLib3Session

        started = time.perf_counter()
        client = self._client(parsed.service, endpoint, region, request.timeout_seconds)
        credentials = client._request_signer._credentials
        url = f"{endpoint}/{parsed.target.lstrip('/')}"
        if request.query:
            url += ("&" if "?" in url else "?") + urlencode(list(request.query))
        headers = {n: v for n, v in request.headers if n.lower() not in ("host", "content-length", "authorization")}
        aws_request = AWSRequest(method=request.http_method, url=url, data=request.body, headers=headers)
        signing_name = client.meta.service_model.signing_name
        signer = S3SigV4Auth if signing_name == "s3" else SigV4Auth
        signer(credentials, signing_name, region).add_auth(aws_request)
        try:
            answer = URLLib3Session(timeout=request.timeout_seconds).send(aws_request.prepare())
        except BotoCoreError as exc:
            return GatewayError(
                type=ResponseType.INTEGRATION_FAILURE, log=f"Execution failed due to a network error: {exc}"
            )
        out = [(n, v) for n, v in answer.headers.items() if n.lower() not in HOP_BY_HOP]
        return EndpointResponse(
            status=answer.status_code, headers=Headers(out), body=answer.content or b"", latency_ms=_ms(started)
        )


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _boto3_name(service: str) -> str:
    name = BOTO3_NAMES.get(service, service)
    import boto3

    available = boto3.session.Session().get_available_services()
    if name in available:
        return name
    # an endpoint prefix that is not a boto3 name: find the model that declares it
    import botocore.session

    loader = botocore.session.get_session().get_component("data_loader")
    for candidate in available:
        metadata = loader.load_service_model(candidate, "service-2").get("metadata", {})
        if metadata.get("endpointPrefix") == service:
            return candidate
    return name


def _from_wire(shape: Any, value: Any) -> Any:
    """JSON-protocol parameters -> boto3 parameters: base64 blobs decoded (other values as they are)."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: _from_wire(members[k], v) if k in members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_from_wire(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _from_wire(shape.value, v) for k, v in value.items()}
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            return value  # not base64: boto3 sends the text as bytes
    return value


def _to_wire(shape: Any, value: Any) -> Any:
    """boto3 results -> the JSON protocol: blobs base64-encoded, timestamps as epoch seconds."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: _to_wire(members[k], v) if k in members else _plain(v) for k, v in value.items()}
    if kind == "list" and isinstance(value, list):
        return [_to_wire(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _to_wire(shape.value, v) for k, v in value.items()}
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if hasattr(value, "read"):  # a streaming body
        return base64.b64encode(value.read()).decode("ascii")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
