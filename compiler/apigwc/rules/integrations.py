"""AGW2xx: integrations (types, URIs, methods, timeouts, selection patterns, passthrough)."""

from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urlsplit

from .. import ir
from ..diagnostics import Severity
from ..intrinsics import STAGE_VARIABLE, Intrinsic
from ..java_regex import check as check_java_regex
from ..java_regex import compile_java
from ..source import join
from .registry import Finding, rule

T = ir.IntegrationType

#: arn:aws:apigateway:{region}:{service}:{path|action}/{rest}
AWS_URI = re.compile(
    r"^arn:(?P<partition>[a-z-]+|\$\{AWS::Partition\}):apigateway:(?P<region>[^:]+):(?P<service>[^:]+):(?P<kind>path|action)/(?P<rest>.+)$"
)
LAMBDA_PATH = re.compile(
    r"^(2015-03-31/functions/(?P<function>.+)/invocations|2021-11-15/functions/(?P<streaming>.+)/response-streaming-invocations)$"
)


_FUNCTION_ARN = re.compile(r"^arn:(?P<partition>[a-z-]+):lambda:(?P<region>[a-z0-9-]+):\d{12}:function:[^/\s]+$")


def invoke_uri_for(text: str) -> str | None:
    """The Lambda invoke URI that wraps a bare function ARN, or None if ``text`` is not one."""
    m = _FUNCTION_ARN.match(text)
    if m is None:
        return None
    return f"arn:{m['partition']}:apigateway:{m['region']}:lambda:path/2015-03-31/functions/{text}/invocations"


def is_templated(text: str) -> bool:
    """True when the value starts with a ${placeholder} filled in before import (Terraform, Fn::Sub)."""
    return text.startswith("${") and not text.startswith("${stageVariables.")


def _placeholders_to_dummy(text: str) -> str:
    """Replace ${...} substitutions (stage variables, AWS variables, Fn::Sub refs) by a token."""
    return re.sub(r"\$\{[^}]*\}", "x", text)


def _a(kind: str) -> str:
    """'an aws_proxy', 'a mock': the article for an integration type as written in OpenAPI."""
    return ("an " if kind[:1] in ("a", "h") else "a ") + kind


def _uri_text(integ: ir.Integration) -> tuple[str, bool]:
    """(text, exact): exact is False when the uri is an intrinsic we only partly see."""
    if isinstance(integ.uri, Intrinsic):
        return integ.uri.referenced_text(), False
    return integ.uri or "", True


@rule("AGW201", name="lambda-http-method", severity=Severity.WARNING)
def lambda_http_method(api: ir.Api) -> Iterator[Finding]:
    """A Lambda integration does not use httpMethod POST.

    What it checks: AWS and AWS_PROXY integrations whose `uri` invokes a Lambda function
    set `httpMethod: POST`.

    Why: `httpMethod` is the method API Gateway uses to call the backend, and Lambda's
    Invoke API only accepts POST.  Any other value makes every call fail with a 500
    ("Execution failed due to configuration error"), whatever method the client used.

    Example:
        get:
          x-amazon-apigateway-integration:
            type: aws_proxy
            httpMethod: GET

    Severity: warning.  API Gateway accepts the configuration: PutIntegration with
    integration method GET for a Lambda function succeeds, and only the calls fail
    ("Unable to determine service/operation name to be authorized", 500) [Obs:
    aws/serverless-application-model#430; localstack/localstack#10473, where a Lambda proxy
    integration with GET deploys on AWS and answers "Internal server error"]. The import
    and the deployment go through, so lint warns and serve/build go on.

    Fix: `httpMethod: POST` (the client's method is still GET).
    """
    for op, integ in api.integrations():
        if integ.is_lambda and integ.http_method is not None and integ.http_method != "POST":
            yield Finding(
                pointer=join(integ.pointer, "httpMethod"),
                message=f"Lambda integrations must use httpMethod POST, found {integ.http_method}",
                hint="set httpMethod: POST; it is the method used to invoke Lambda, not the client's method",
            )


@rule("AGW202", name="integration-uri-format", severity=Severity.ERROR)
def integration_uri_format(api: ir.Api) -> Iterator[Finding]:
    """An integration `uri` does not have the form its type requires.

    What it checks: HTTP and HTTP_PROXY integrations use an absolute `http(s)://` URL
    (stage variables allowed, port 80, 443 or above 1024); AWS and AWS_PROXY integrations
    use `arn:aws:apigateway:{region}:{service}:{path|action}/...`, and Lambda URIs end in
    `/2015-03-31/functions/{function-arn}/invocations`; AWS_PROXY only invokes Lambda.

    Why: import fails ("Invalid HTTP endpoint specified for URI" / "AWS ARN for integration
    must contain path or action"), or every call fails.

    Example:
        type: aws_proxy
        uri: arn:aws:lambda:us-east-1:123456789012:function:Pets     # a function ARN, not an invoke URI

    Severity: error.  API Gateway rejects it [Obs: localstack's AWS-validated
    test_put_integration_validation: "Invalid HTTP endpoint specified for URI", "Invalid
    ARN specified in the request", "AWS ARN for integration must contain path or action"].

    Fix: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Pets/invocations
    """
    for op, integ in api.integrations():
        if integ.type is None or integ.type is T.MOCK or integ.uri is None:
            continue
        text, exact = _uri_text(integ)
        if not text or is_templated(text):
            continue
        ptr = join(integ.pointer, "uri")
        if integ.type in (T.HTTP, T.HTTP_PROXY):
            if not exact and not text.startswith(("http://", "https://")):
                continue
            found = _http_uri_problem(text)
            if found:
                problem, hint = found
                yield Finding(pointer=ptr, message=f"{problem}: {text!r}", hint=hint)
            continue
        m = AWS_URI.match(_placeholders_to_dummy(text.replace("${AWS::Partition}", "aws")))
        if m is None:
            if not exact and "apigateway" not in text:
                continue
            hint = "arn:aws:apigateway:{region}:{service}:{path|action}/{...}"
            if invoke_uri_for(text):
                hint = f"wrap the function ARN: {invoke_uri_for(text)}"
            elif text.startswith("arn:aws:lambda:") or ":function:" in text and ":apigateway:" not in text:
                hint = "wrap the function ARN: arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function-arn}/invocations"
            yield Finding(
                pointer=ptr,
                message=f"{integ.type.value.lower()} integration uri is not an API Gateway service ARN: {text!r}",
                hint=hint,
            )
            continue
        if m.group("service") == "lambda":
            lam = LAMBDA_PATH.match(m.group("rest")) if m.group("kind") == "path" else None
            if lam is None:
                yield Finding(
                    pointer=ptr,
                    message=f"Lambda integration uri must end in /2015-03-31/functions/{{function-arn}}/invocations: {text!r}",
                    hint="arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function-arn}/invocations",
                )
            elif lam.group("streaming") and integ.response_transfer_mode != "STREAM":
                yield Finding(
                    pointer=ptr,
                    message="the response-streaming Lambda invoke URI needs responseTransferMode: STREAM",
                    hint="add responseTransferMode: STREAM, or use /2015-03-31/functions/{function-arn}/invocations",
                )
        elif integ.type is T.AWS_PROXY:
            yield Finding(
                pointer=join(integ.pointer, "type"),
                message=f"aws_proxy integrations invoke Lambda only; this uri calls '{m.group('service')}'",
                hint="use type: aws with mapping templates for other AWS services",
            )


_ABSOLUTE_URL = "write an absolute URL such as https://backend.example.com/pets/{id}"


def _http_uri_problem(text: str) -> tuple[str, str] | None:
    """(problem, hint) for an HTTP integration uri, or None when it is fine."""
    probe = STAGE_VARIABLE.sub("stagevar", text)
    probe = re.sub(r"\$\{[^}]*\}", "x", probe)
    probe = re.sub(r"\{[A-Za-z0-9._$+-]+\}", "p", probe)
    try:
        parts = urlsplit(probe)
    except ValueError:
        return "the uri is not a valid URL", _ABSOLUTE_URL
    if parts.scheme not in ("http", "https"):
        return "HTTP integration uri must start with http:// or https://", _ABSOLUTE_URL
    if not parts.hostname:
        return "HTTP integration uri has no host", _ABSOLUTE_URL
    try:
        port = parts.port
    except ValueError:
        return "HTTP integration uri has an invalid port", "use a port number from 1025 to 65535, or none (80/443)"
    if port is not None and port not in (80, 443) and port <= 1024:
        return (
            f"API Gateway only calls ports 80, 443 and 1025-65535, not {port}",
            "move the backend to port 443 or to a port above 1024",
        )
    if " " in text:
        return "HTTP integration uri contains a space (URIs must be percent-encoded)", "write the space as %20"
    return None


@rule("AGW203", name="integration-timeout-range", severity=Severity.ERROR)
def integration_timeout_range(api: ir.Api) -> Iterator[Finding]:
    """timeoutInMillis is outside 50-29000.

    What it checks: `timeoutInMillis` is between 50 and 29,000 (up to 900,000 with
    `responseTransferMode: STREAM`).

    Why: API Gateway rejects other values on import.  Regional and private APIs can go above
    29 s after a quota increase (edge-optimized APIs cannot); ignore this rule for those.

    Example:
        timeoutInMillis: 30000

    Severity: error.  PutIntegration rejects a timeout outside the allowed range [Doc: API
    reference, Integration.timeoutInMillis "between 50 and 29,000"; Inf for the exact
    message]. Regional APIs can raise the upper bound by quota request.

    Fix: 29000 or less (let the backend time out first).
    """
    for op, integ in api.integrations():
        t = integ.timeout_in_millis
        if t is None:
            continue
        upper = 900_000 if integ.response_transfer_mode == "STREAM" else 29_000
        if t < 50 or t > upper:
            yield Finding(
                pointer=join(integ.pointer, "timeoutInMillis"),
                message=f"timeoutInMillis must be between 50 and {upper:,} ms, found {t:,}",
                hint="above 29,000 ms needs a quota increase (Regional and private APIs only)"
                if t > upper
                else "50 ms is the shortest timeout API Gateway allows; omit it for the default 29,000",
            )


@rule("AGW204", name="proxy-ignores-mapping", severity=Severity.WARNING)
def proxy_ignores_mapping(api: ir.Api) -> Iterator[Finding]:
    """A proxy integration declares templates or responses that API Gateway ignores.

    What it checks: AWS_PROXY and HTTP_PROXY integrations have no `requestTemplates`,
    `responses`, or a `passthroughBehavior` other than the default `when_no_match` (which
    API Gateway's own exports write on every integration).

    Why: proxy integrations pass the request and the response through untouched; these
    settings never run, which misleads readers into thinking they do.

    Example:
        type: aws_proxy
        responses:
          default: {statusCode: "200", responseTemplates: {...}}

    Fix: remove them, or switch to a non-proxy (aws/http) integration if you need mapping.
    """
    for op, integ in api.integrations():
        if not integ.is_proxy:
            continue
        for field, present in (
            ("requestTemplates", bool(integ.request_templates)),
            (
                "passthroughBehavior",
                integ.passthrough_behavior_raw is not None
                and integ.passthrough_behavior is not ir.PassthroughBehavior.WHEN_NO_MATCH,
            ),
            ("responses", bool(integ.responses)),
        ):
            if present:
                yield Finding(
                    pointer=join(integ.pointer, field),
                    at_key=True,
                    message=f"{field} has no effect on {_a(integ.type.value.lower())} integration (it passes requests and responses through)",
                    hint=f"remove {field}, or use a non-proxy integration type to transform",
                )


@rule("AGW205", name="missing-default-response", severity=Severity.WARNING)
def missing_default_response(api: ir.Api) -> Iterator[Finding]:
    """A non-proxy integration has no `default` integration response.

    What it checks: AWS, HTTP and MOCK integrations have a `default` entry in `responses`.

    Why: when no selection pattern matches (a status or Lambda result you did not foresee),
    API Gateway has no response to use and answers 500 "Internal server error"
    (API_CONFIGURATION_ERROR).  For Lambda custom integrations every successful call is
    selected by `default`.

    Example:
        responses:
          "2\\d{2}": {statusCode: "200"}

    Fix: add `default: {statusCode: "200"}` (or make the catch-all explicit).
    """
    for op, integ in api.integrations():
        if integ.is_proxy or integ.type is None:
            continue
        if integ.response("default") is None:
            yield Finding(
                pointer=integ.pointer if not integ.responses else join(integ.pointer, "responses"),
                at_key=True,
                message=f"the {integ.type.value.lower()} integration of {op.label} has no 'default' response; "
                "unmatched results become 500 Internal server error",
                hint='add responses: {default: {statusCode: "200"}}',
            )


@rule("AGW206", name="selection-pattern-regex", severity=Severity.ERROR)
def selection_pattern_regex(api: ir.Api) -> Iterator[Finding]:
    """A selection pattern is not a valid Java regular expression.

    What it checks: each `responses` key other than `default` compiles as a Java regex
    (API Gateway evaluates them with java.util.regex).

    Why: import fails ("Invalid selection pattern").

    Example:
        responses:
          "*Error*": {statusCode: "500"}      # a glob, not a regex

    Severity: error.  [Inf] API Gateway compiles the selection pattern as a Java regular
    expression when it stores the integration response; a pattern that does not compile
    fails PutIntegrationResponse (the Java regex engine refuses it).

    Fix: `.*Error.*`.
    """
    for op, integ in api.integrations():
        if integ.is_proxy:
            continue
        for resp in integ.responses:
            if resp.is_default:
                continue
            err = check_java_regex(resp.key)
            if err is not None:
                # a glob such as *Error* -> .*Error.*
                unglobbed = re.sub(r"(?<![.\])\\])\*", ".*", resp.key)
                yield Finding(
                    pointer=resp.pointer,
                    at_key=True,
                    message=f"selection pattern {resp.key!r} is not a valid Java regex: {err}",
                    hint=f"selection patterns are regular expressions, not globs: did you mean '{unglobbed}'?"
                    if unglobbed != resp.key and check_java_regex(unglobbed) is None
                    else None,
                )


_STATUS_CODES = [str(c) for c in range(100, 600)]


@rule("AGW207", name="selection-pattern-never-matches", severity=Severity.WARNING)
def selection_pattern_never_matches(api: ir.Api) -> Iterator[Finding]:
    """A selection pattern can never match because it must match the whole input.

    What it checks: for HTTP, MOCK and non-Lambda AWS integrations the pattern is matched
    against the 3-digit status code, so it must fully match some code from 100 to 599;
    for Lambda custom integrations it is matched against the whole `errorMessage`, so a
    glob-like pattern such as `Invalid*` (which only matches "Invalid", "Invalidd"...) is
    flagged.

    Why: Java's `String.matches` needs the entire string to match: `Invalid*` does not
    match "Invalid input" and `50` does not match "500".  The response never fires and
    errors fall through to `default` (usually 200).

    Example:
        responses:
          "Invalid*": {statusCode: "400"}

    Fix: `Invalid.*` (or `.*Invalid.*`); for status codes `5\\d{2}`.
    """
    for op, integ in api.integrations():
        if integ.is_proxy or integ.type is None:
            continue
        for resp in integ.responses:
            if resp.is_default or check_java_regex(resp.key) is not None:
                continue
            pattern = compile_java(resp.key)
            if integ.is_lambda and integ.type is T.AWS:
                m = re.fullmatch(r"([A-Za-z0-9 _:-]*[A-Za-z0-9])\*", resp.key)
                if m:
                    yield Finding(
                        pointer=resp.pointer,
                        at_key=True,
                        message=f"selection pattern {resp.key!r} must match the whole errorMessage: "
                        f"it matches {m.group(1)!r} but not {m.group(1) + ' ...'!r}",
                        hint=f"did you mean '{m.group(1)}.*'?",
                    )
                continue
            if not any(pattern.fullmatch(code) for code in _STATUS_CODES):
                kind = integ.type.value.lower()
                yield Finding(
                    pointer=resp.pointer,
                    at_key=True,
                    message=f"selection pattern {resp.key!r} never matches: for {_a(kind)} "
                    "integration it is matched against the whole 3-digit status code",
                    hint=_status_pattern_hint(resp.key),
                )


def _status_pattern_hint(key: str) -> str:
    """A prefix such as '50' or '4' meant a class of status codes: 50\\d, 4\\d{2}."""
    if re.fullmatch(r"[1-5]\d", key):
        return f"did you mean '{key}\\d'?"
    if re.fullmatch(r"[1-5]", key):
        return f"did you mean '{key}\\d{{2}}'?"
    return "match status codes, e.g. 4\\d{2} or 404"


_STATUS_IN_TEMPLATE = re.compile(r"statusCode")


@rule("AGW208", name="mock-without-status-code", severity=Severity.WARNING)
def mock_without_status_code(api: ir.Api) -> Iterator[Finding]:
    """A MOCK integration's request template does not produce a statusCode.

    What it checks: each request template of a MOCK integration mentions `statusCode`.

    Why: a MOCK integration answers with the status code its request template renders
    (`{"statusCode": 200}`); without it API Gateway cannot select an integration response
    and the method answers 500.

    Severity: warning.  API Gateway stores a request template without evaluating it, so
    the import and the deployment succeed [Obs: localstack's AWS-validated
    test_integration_mock_with_path_param stores and serves the MOCK template
    `{statusCode: 200}`, which is not even JSON]; the method fails at run time.

    Example:
        type: mock
        requestTemplates:
          application/json: '{"message": "hello"}'

    Fix: `application/json: '{"statusCode": 200}'` and put the body in the integration
    response's responseTemplates.
    """
    for op, integ in api.integrations():
        if integ.type is not T.MOCK:
            continue
        for media, template in integ.request_templates.items():
            if template is None or isinstance(template, Intrinsic):
                continue
            if not _STATUS_IN_TEMPLATE.search(template):
                yield Finding(
                    pointer=join(integ.pointer, "requestTemplates", media),
                    message=f"the {media} request template of the MOCK integration of {op.label} renders no statusCode",
                    hint='render {"statusCode": 200}; the response body belongs in responses.*.responseTemplates',
                )


@rule("AGW209", name="missing-integration", severity=Severity.ERROR)
def missing_integration(api: ir.Api) -> Iterator[Finding]:
    """An operation has no x-amazon-apigateway-integration.

    What it checks: every operation has an `x-amazon-apigateway-integration`.

    Why: the import succeeds, but `CreateDeployment` then fails with "No integration defined
    for method", so the API can never be deployed.

    Example:
        /pets:
          get:
            responses: {"200": {description: OK}}

    Severity: error.  The import stores a method with no integration, but CreateDeployment
    then fails with "No integration defined for method" [Obs: aws-rest-semantics.md 1.5].

    Fix: add an integration (for a placeholder, `type: mock` with
    `requestTemplates: {application/json: '{"statusCode": 200}'}`).
    """
    for op in api.operations:
        if op.integration is None:
            yield Finding(
                pointer=op.pointer,
                at_key=True,
                message=f"{op.label} has no x-amazon-apigateway-integration; the API cannot be deployed",
                hint="add an integration (type: mock for a placeholder)",
            )


@rule("AGW210", name="integration-http-method-required", severity=Severity.ERROR)
def integration_http_method_required(api: ir.Api) -> Iterator[Finding]:
    """An HTTP or AWS integration has no httpMethod.

    What it checks: HTTP, HTTP_PROXY, AWS and AWS_PROXY integrations set `httpMethod`.

    Why: the backend method is required for these types; import fails.

    Example:
        type: http
        uri: https://backend.example.com/pets

    Severity: error.  API Gateway rejects it [Obs: localstack's AWS-validated
    test_put_integration_validation: "Enumeration value for HttpMethod must be non-empty"
    for HTTP, HTTP_PROXY and AWS; MOCK is accepted without one].

    Fix: `httpMethod: GET` (POST for Lambda; ANY is allowed for http_proxy).
    """
    for op, integ in api.integrations():
        if integ.type in (T.HTTP, T.HTTP_PROXY, T.AWS, T.AWS_PROXY) and integ.http_method is None:
            if integ.is_lambda or integ.type is T.AWS_PROXY:
                hint = "httpMethod: POST (Lambda is always invoked with POST)"
            elif integ.type is T.AWS:
                hint = "set httpMethod to the method of the AWS service API, usually POST"
            else:
                verb = "GET" if op.method is ir.HttpMethod.ANY else op.method.value
                hint = f"set httpMethod to the backend's method, e.g. httpMethod: {verb}" + (
                    " (ANY forwards the client's)" if integ.type is T.HTTP_PROXY else ""
                )
            yield Finding(
                pointer=integ.pointer,
                at_key=True,
                message=f"the {integ.type.value.lower()} integration of {op.label} has no httpMethod",
                hint=hint,
            )


@rule("AGW211", name="passthrough-unmapped-content", severity=Severity.WARNING)
def passthrough_unmapped_content(api: ir.Api) -> Iterator[Finding]:
    """Requests with an unmapped Content-Type reach the backend untransformed.

    What it checks: non-proxy integrations that define `requestTemplates` set
    `passthroughBehavior` to `when_no_templates` or `never`.

    Why: the default, WHEN_NO_MATCH, passes a request whose Content-Type has no template
    straight to the backend, unvalidated by your template: a client can send
    `text/plain` and skip the mapping.  NEVER answers 415 instead.

    Example:
        requestTemplates:
          application/json: '{"id": "$input.params(''id'')"}'
        # passthroughBehavior omitted -> WHEN_NO_MATCH

    Fix: `passthroughBehavior: never` (or when_no_templates).
    """
    for op, integ in api.integrations():
        if integ.type in (None, T.MOCK) or integ.is_proxy or not integ.request_templates:
            continue
        if integ.passthrough_behavior_raw is None or integ.passthrough_behavior is ir.PassthroughBehavior.WHEN_NO_MATCH:
            yield Finding(
                pointer=join(integ.pointer, "passthroughBehavior") if integ.passthrough_behavior_raw else integ.pointer,
                at_key=integ.passthrough_behavior_raw is None,
                message=f"{op.label} passes requests with an unmapped Content-Type to the backend untransformed "
                "(passthroughBehavior WHEN_NO_MATCH)",
                hint="set passthroughBehavior: never (unmapped types get 415) or when_no_templates",
            )


@rule("AGW212", name="vpc-link-connection", severity=Severity.ERROR)
def vpc_link_connection(api: ir.Api) -> Iterator[Finding]:
    """A VPC_LINK integration has no connectionId, or a connectionId without VPC_LINK.

    What it checks: `connectionType: VPC_LINK` comes with a `connectionId` (or an
    `integrationTarget`), and `connectionId` is only set with `connectionType: VPC_LINK`.

    Why: import fails, or the connection id is ignored and the call goes to the internet.

    Example:
        connectionType: VPC_LINK
        uri: http://internal-nlb.example.com

    Severity: error.  [Doc: API reference, Integration.connectionId "required when
    connectionType is VPC_LINK"] [Inf] PutIntegration refuses the mismatch.

    Fix: `connectionId: ${stageVariables.vpcLinkId}` (or the VPC link id).
    """
    for op, integ in api.integrations():
        if (
            integ.connection_type is ir.ConnectionType.VPC_LINK
            and integ.connection_id is None
            and integ.integration_target is None
        ):
            yield Finding(
                pointer=join(integ.pointer, "connectionType"),
                message=f"the VPC_LINK integration of {op.label} has no connectionId",
                hint="set connectionId to the VPC link id (or ${stageVariables.vpcLinkId})",
            )
        if integ.connection_id is not None and integ.connection_type is not ir.ConnectionType.VPC_LINK:
            yield Finding(
                pointer=join(integ.pointer, "connectionId"),
                at_key=True,
                message=f"connectionId is set but connectionType is not VPC_LINK in {op.label}; it is ignored",
                hint="add connectionType: VPC_LINK",
            )


@rule("AGW213", name="tls-config-non-http", severity=Severity.WARNING)
def tls_config_non_http(api: ir.Api) -> Iterator[Finding]:
    """tlsConfig on an integration that is not HTTP or HTTP_PROXY.

    What it checks: `tlsConfig` only appears on HTTP and HTTP_PROXY integrations.

    Why: REST APIs apply tlsConfig to HTTP backends only; elsewhere it is ignored.

    Example:
        type: aws_proxy
        tlsConfig: {insecureSkipVerification: true}

    Fix: remove it.
    """
    for op, integ in api.integrations():
        if integ.tls_insecure_skip_verification is not None and integ.type not in (T.HTTP, T.HTTP_PROXY):
            yield Finding(
                pointer=join(integ.pointer, "tlsConfig"),
                at_key=True,
                message=f"tlsConfig has no effect on {_a(integ.type.value.lower()) if integ.type else 'a non-HTTP'} integration",
                hint="remove tlsConfig",
            )


@rule("AGW214", name="stream-mode-non-proxy", severity=Severity.ERROR)
def stream_mode_non_proxy(api: ir.Api) -> Iterator[Finding]:
    """responseTransferMode STREAM on an integration that cannot stream.

    What it checks: `responseTransferMode: STREAM` is only used with HTTP_PROXY and
    AWS_PROXY integrations.

    Why: response streaming is only supported for proxy integrations; import fails.

    Example:
        type: http
        responseTransferMode: STREAM

    Severity: error.  [Doc: response streaming is supported for HTTP_PROXY and Lambda proxy
    integrations only] [Inf] PutIntegration refuses STREAM on other types.

    Fix: use http_proxy / aws_proxy, or drop STREAM.
    """
    for op, integ in api.integrations():
        if integ.response_transfer_mode == "STREAM" and not integ.is_proxy:
            yield Finding(
                pointer=join(integ.pointer, "responseTransferMode"),
                message=f"responseTransferMode STREAM requires an http_proxy or aws_proxy integration ({op.label} uses {integ.type_raw})",
                hint="use type http_proxy or aws_proxy, or remove responseTransferMode",
            )


_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+*-]+$")
_SHORT_MEDIA = {
    "json": "application/json",
    "xml": "application/xml",
    "text": "text/plain",
    "html": "text/html",
    "form": "application/x-www-form-urlencoded",
}


def _media_hint(key: str) -> str:
    full = _SHORT_MEDIA.get(key.strip().lower())
    return f"did you mean '{full}'?" if full else "use a media type such as application/json"


@rule("AGW215", name="template-content-type", severity=Severity.WARNING)
def template_content_type(api: ir.Api) -> Iterator[Finding]:
    """A mapping template is keyed by something that is not a media type.

    What it checks: `requestTemplates` and `responseTemplates` keys are media types such as
    `application/json`.

    Why: API Gateway picks request templates by the request's Content-Type and response
    templates by Accept; a key such as `json` never matches, so the template never runs.

    Example:
        requestTemplates:
          json: '{...}'

    Fix: `application/json: '{...}'`.
    """
    for op, integ in api.integrations():
        for media in integ.request_templates:
            if not _MEDIA_TYPE.match(media):
                yield Finding(
                    pointer=join(integ.pointer, "requestTemplates", media),
                    at_key=True,
                    message=f"request template key {media!r} is not a media type; it never matches a Content-Type",
                    hint=_media_hint(media),
                )
        for resp in integ.responses:
            for media in resp.response_templates:
                if not _MEDIA_TYPE.match(media):
                    yield Finding(
                        pointer=join(resp.pointer, "responseTemplates", media),
                        at_key=True,
                        message=f"response template key {media!r} is not a media type; it never matches an Accept header",
                        hint=_media_hint(media),
                    )
