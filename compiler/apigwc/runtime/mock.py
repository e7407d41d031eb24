"""The MOCK integration: API Gateway answers by itself, with the status the request template chose.

The integration request body (the rendered request template, or the passed-through
payload) must be a JSON object whose ``statusCode`` is an integer:
``{"statusCode": 200}`` [Doc].  The integration response is then selected by that
status; the mock's own response has no headers and an empty body, so the body comes
from the integration response template.

Choices where AWS is silent (docs/runtime.md):

* an empty body (no template, a GET without payload) answers 200 [Inf];
* a JSON object without ``statusCode`` answers 200 [Inf];
* a ``statusCode`` that is not an integer from 100 to 599 (``"200"`` as a string of
  digits is accepted), or a body that is not JSON, is a configuration error: 500
  ``Internal server error``, logged as the service logs it.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from .endpoint import EndpointRequest, EndpointResponse
from .errors import GatewayError, ResponseType
from .log import Step

if TYPE_CHECKING:
    from .exchange import Exchange

UNPARSEABLE = "Execution failed due to configuration error: Unable to parse statusCode. It should be an integer that is defined in the request template."


class MockBackend:
    """Answers MOCK integrations offline."""

    __slots__ = ()

    async def invoke(self, request: EndpointRequest, ex: "Exchange") -> EndpointResponse | GatewayError:
        status = mock_status(request.body)
        if status is None:
            return GatewayError(type=ResponseType.API_CONFIGURATION_ERROR, log=UNPARSEABLE)
        ex.note(Step.ENDPOINT, f"Mock integration: statusCode {status}")
        return EndpointResponse(status=status)


#: The usual template output, read without a JSON parser.
_SIMPLE = re.compile(rb'\s*\{\s*"statusCode"\s*:\s*([1-5]\d\d)\s*\}\s*')


#: An object with only a statusCode, with a trailing comma or an unquoted key:
#: ``{"statusCode": 200, }``, ``{statusCode: 200}``.  API Gateway answers it with that
#: status [Obs: localstack/airspeed's recording harness deploys the first and records 200
#: answers; localstack's test_integration_mock_with_path_param the second (the CDK's CORS
#: template)].
_LENIENT = re.compile(r'\{\s*"?statusCode"?\s*:\s*"?([1-5]\d\d)"?\s*,?\s*\}')


def mock_status(body: bytes) -> int | None:
    """The status a MOCK answers for an integration request body, or None if it cannot tell."""
    simple = _SIMPLE.fullmatch(body)
    if simple is not None:
        return int(simple.group(1))
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return 200
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        lenient = _LENIENT.fullmatch(text)
        return int(lenient.group(1)) if lenient is not None else None
    if not isinstance(document, dict):
        return None
    if "statusCode" not in document:
        return 200
    value = document["statusCode"]
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if type(value) is not int or not 100 <= value <= 599:
        return None
    return value
