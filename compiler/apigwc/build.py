"""Build the IR from checked sources.  The ONLY module that reads raw OpenAPI dicts.

The builder is tolerant: the check stage has already reported structural problems, so
here a value of the wrong type is simply treated as absent.  `$ref`s are resolved
through `Sources` (which reports dangling and cyclic references once each).
"""

from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import urlsplit

from . import ir
from .check import ANY_METHOD, SpecVersion
from .diagnostics import Diagnostics
from .intrinsics import Intrinsic, Value, as_float, is_intrinsic
from .source import Sources, join, split, split_location

_METHODS = {
    "get": ir.HttpMethod.GET,
    "put": ir.HttpMethod.PUT,
    "post": ir.HttpMethod.POST,
    "delete": ir.HttpMethod.DELETE,
    "options": ir.HttpMethod.OPTIONS,
    "head": ir.HttpMethod.HEAD,
    "patch": ir.HttpMethod.PATCH,
}
_EXT = "x-amazon-apigateway-"
_REF_VALUE = re.compile(r"""\$ref["']?[ \t]*:[ \t]*["']?([^"'\s,}]+)""")


# ----------------------------------------------------------------------------------------
# scalar helpers


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _text(value: Any) -> str | None:
    """A scalar as text: strings as is, numbers and booleans in their JSON spelling."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value  # (a template's `intrinsics.Resolved` stays itself)
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _value(value: Any) -> Value | None:
    """A string-typed field that may hold a CloudFormation intrinsic."""
    if is_intrinsic(value):
        return Intrinsic.of(value)
    return _text(value)


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in _list(value) if isinstance(v, str))


def _value_map(value: Any) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for k, v in _dict(value).items():
        val = _value(v)
        if val is not None:
            out[k] = val
    return out


def _template_map(value: Any) -> dict[str, Value | None]:
    out: dict[str, Value | None] = {}
    for k, v in _dict(value).items():
        out[k] = _value(v) if v is not None else None
    return out


def _ext(container: dict, name: str) -> Any:
    return container.get(_EXT + name)


# ----------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, sources: Sources, version: SpecVersion, diags: Diagnostics) -> None:
        self.sources = sources
        self.version = version
        self.diags = diags
        self.data: dict = sources.main.data
        self.models: dict[str, ir.Model] = {}
        # schemas need their `$ref`s rewritten only if some reference leaves the main file
        self.rewrite_refs = any(not m.group(1).startswith("#") for m in _REF_VALUE.finditer(sources.main.text))

    # -- entry ---------------------------------------------------------------------------

    def build(self) -> ir.Api:
        d = self.data
        info = _dict(d.get("info"))
        self._collect_models()
        servers, base_path = self._servers()
        consumes = _strings(d.get("consumes"))
        produces = _strings(d.get("produces"))
        operations, paths = self._operations(consumes, produces)
        default_validator = _str(_ext(d, "request-validator"))
        apigwc = _dict(d.get("x-apigwc"))
        return ir.Api(
            source=self.sources.main.display,
            openapi_version=self.version.raw,
            title=_value(info.get("title")),
            version=_text(info.get("version")),
            description=_value(info.get("description")),
            servers=servers,
            base_path=base_path,
            operations=operations,
            paths=paths,
            security_schemes=self._security_schemes(),
            root_security=self._security(d.get("security"), "/security") if "security" in d else None,
            models=dict(self.models),
            request_validators=self._request_validators(),
            default_request_validator=default_validator,
            default_request_validator_pointer=join("", _EXT + "request-validator") if default_validator else None,
            gateway_responses=self._gateway_responses(),
            binary_media_types=_strings(_ext(d, "binary-media-types")),
            api_key_source_raw=_str(_ext(d, "api-key-source")),
            api_key_source=ir.parse_enum(ir.ApiKeySource, _ext(d, "api-key-source")),
            minimum_compression_size=_int(_ext(d, "minimum-compression-size")),
            policy=_ext(d, "policy"),
            endpoint_configuration=self._endpoint_configuration(),
            documentation=_ext(d, "documentation"),
            security_policy=_str(_ext(d, "security-policy")),
            endpoint_access_mode=_str(_ext(d, "endpoint-access-mode")),
            consumes=consumes,
            produces=produces,
            endpoint_type=_str(apigwc.get("endpointType")),
            stages=self._stages(_dict(apigwc.get("stages"))),
            usage_plans=self._usage_plans(_dict(apigwc.get("usagePlans"))),
            api_keys=self._api_keys(_dict(apigwc.get("apiKeys"))),
            local=self._local(apigwc.get("local")),
            suppressions=self._suppressions(),
        )

    # -- models --------------------------------------------------------------------------

    def _collect_models(self) -> None:
        if self.version.is_v2:
            container, base = _dict(self.data.get("definitions")), "/definitions"
        else:
            container, base = _dict(_dict(self.data.get("components")).get("schemas")), "/components/schemas"
        for name, schema in container.items():
            ptr = join(base, name)
            self.models[name] = ir.Model(name=name, schema=self._schema_body(schema, ptr), pointer=ptr)

    def _schema_body(self, schema: Any, at: str) -> Any:
        """A schema with `$ref`s into other files rewritten to local model references."""
        if not self.rewrite_refs:
            return schema
        return self._rewrite(schema, at)

    def _rewrite(self, node: Any, at: str) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#") or (isinstance(ref, str) and split_location(at)[0]):
                resolved = self.sources.resolve(ref, at)
                if resolved is not None:
                    name = self._model_for(resolved.location, resolved.value)
                    if name is not None:
                        return {**{k: v for k, v in node.items() if k != "$ref"}, "$ref": self._local_ref(name)}
                return node
            return {k: self._rewrite(v, join(at, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [self._rewrite(v, join(at, i)) for i, v in enumerate(node)]
        return node

    def _local_ref(self, name: str) -> str:
        return ("#/definitions/" if self.version.is_v2 else "#/components/schemas/") + name

    def _model_for(self, location: str, value: Any) -> str | None:
        """The model name for a schema location, registering schemas from other files."""
        file, pointer = split_location(location)
        try:
            toks = split(pointer)
        except ValueError:
            return None
        if len(toks) < 2 or toks[-2] not in ("schemas", "definitions"):
            return None
        name = toks[-1]
        if file and name not in self.models:
            self.models[name] = ir.Model(name=name, schema=self._rewrite(value, location), pointer=location)
        return name

    def _schema_ref(self, schema: Any, at: str) -> ir.SchemaRef | None:
        if not isinstance(schema, dict):
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            resolved = self.sources.resolve(ref, at)
            if resolved is None:
                return ir.SchemaRef(name=None, schema={}, pointer=at, ref=ref)
            name = self._model_for(resolved.location, resolved.value)
            return ir.SchemaRef(
                name=name,
                schema=self.models[name].schema if name in self.models else resolved.value,
                pointer=at,
                ref=ref,
            )
        return ir.SchemaRef(name=None, schema=self._schema_body(schema, at), pointer=at)

    # -- servers -------------------------------------------------------------------------

    def _servers(self) -> tuple[tuple[ir.Server, ...], str]:
        d = self.data
        if self.version.is_v2:
            base = _str(d.get("basePath")) or "/"
            return (), base
        servers: list[ir.Server] = []
        for i, entry in enumerate(_list(d.get("servers"))):
            if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
                continue
            variables = _dict(entry.get("variables"))
            url = entry["url"]
            base_var = _dict(variables.get("basePath")).get("default")
            if isinstance(base_var, str):
                base = base_var
            else:
                for var, spec in variables.items():
                    default = _dict(spec).get("default")
                    if isinstance(default, str):
                        url = url.replace("{" + var + "}", default)
                base = urlsplit(
                    url if "://" in url else "http://host" + (url if url.startswith("/") else "/" + url)
                ).path
            servers.append(
                ir.Server(
                    url=entry["url"],
                    base_path="/" + base.strip("/") if base.strip("/") else "/",
                    pointer=join("/servers", i),
                )
            )
        return tuple(servers), servers[0].base_path if servers else "/"

    # -- operations ----------------------------------------------------------------------

    def _operations(
        self, root_consumes: tuple[str, ...], root_produces: tuple[str, ...]
    ) -> tuple[tuple[ir.Operation, ...], tuple[tuple[str, str], ...]]:
        ops: list[ir.Operation] = []
        paths: list[tuple[str, str]] = []
        for path, raw_item in _dict(self.data.get("paths")).items():
            if not isinstance(path, str) or not path.startswith("/"):
                continue
            item_ptr = join("/paths", path)
            resolved = self.sources.deref(raw_item, item_ptr)
            if resolved is None or not isinstance(resolved[0], dict):
                paths.append((path, item_ptr))
                continue
            item, item_ptr = resolved
            paths.append((path, item_ptr))
            shared = self._parameters(item.get("parameters"), join(item_ptr, "parameters"))
            for key, raw_op in item.items():
                if key in _METHODS:
                    method = _METHODS[key]
                elif key == ANY_METHOD:
                    method = ir.HttpMethod.ANY
                else:
                    continue
                if not isinstance(raw_op, dict):
                    continue
                ops.append(
                    self._operation(path, method, raw_op, join(item_ptr, key), shared, root_consumes, root_produces)
                )
        return tuple(ops), tuple(paths)

    def _operation(
        self,
        path: str,
        method: ir.HttpMethod,
        op: dict,
        ptr: str,
        shared: tuple[ir.Parameter, ...],
        root_consumes: tuple[str, ...],
        root_produces: tuple[str, ...],
    ) -> ir.Operation:
        own = self._parameters(op.get("parameters"), join(ptr, "parameters"))
        merged: dict[tuple[str, str], ir.Parameter] = {(p.location_raw, p.name): p for p in shared}
        for p in own:
            merged[(p.location_raw, p.name)] = p
        params = tuple(merged.values())
        consumes = _strings(op.get("consumes")) or root_consumes
        produces = _strings(op.get("produces")) or root_produces
        if self.version.is_v2:
            body = self._v2_body(params, consumes)
            params = tuple(p for p in params if p.location is not ir.ParamLocation.BODY)
        else:
            body = self._request_body(op.get("requestBody"), join(ptr, "requestBody"))
        integration_raw = _ext(op, "integration")
        integration = None
        if isinstance(integration_raw, dict) and "$ref" not in integration_raw:
            integration = self._integration(integration_raw, join(ptr, _EXT + "integration"))
        auth = _ext(op, "auth")
        return ir.Operation(
            path=path,
            method=method,
            operation_id=_str(op.get("operationId")),
            summary=_str(op.get("summary")),
            description=_str(op.get("description")),
            tags=_strings(op.get("tags")),
            parameters=params,
            request_body=body,
            responses=self._responses(op.get("responses"), join(ptr, "responses"), produces),
            security=self._security(op.get("security"), join(ptr, "security")) if "security" in op else None,
            integration=integration,
            auth_type_raw=_str(_dict(auth).get("type")),
            request_validator=_str(_ext(op, "request-validator")),
            consumes=consumes,
            produces=produces,
            deprecated=op.get("deprecated") is True,
            pointer=ptr,
        )

    def _parameters(self, raw: Any, at: str) -> tuple[ir.Parameter, ...]:
        out: list[ir.Parameter] = []
        for i, entry in enumerate(_list(raw)):
            resolved = self.sources.deref(entry, join(at, i))
            if resolved is None:
                continue
            param, ptr = resolved
            if not isinstance(param, dict):
                continue
            name, where = param.get("name"), param.get("in")
            if not isinstance(name, str) or not isinstance(where, str):
                continue
            location = ir.parse_enum(ir.ParamLocation, where)
            body_schema = None
            if location is ir.ParamLocation.BODY:
                body_schema = self._schema_ref(param.get("schema"), join(ptr, "schema"))
                schema: Any = None
            elif self.version.is_v2:
                schema = {
                    k: v
                    for k, v in param.items()
                    if k
                    in (
                        "type",
                        "format",
                        "items",
                        "enum",
                        "pattern",
                        "minimum",
                        "maximum",
                        "minLength",
                        "maxLength",
                        "default",
                    )
                }
            else:
                sch = self.sources.deref(param.get("schema"), join(ptr, "schema"))
                schema = sch[0] if sch else None
            out.append(
                ir.Parameter(
                    name=name,
                    location_raw=where,
                    location=location,
                    required=param.get("required") is True or location is ir.ParamLocation.PATH,
                    schema=schema,
                    pointer=ptr,
                    description=_str(param.get("description")),
                    body_schema=body_schema,
                )
            )
        return tuple(out)

    def _v2_body(self, params: tuple[ir.Parameter, ...], consumes: tuple[str, ...]) -> ir.RequestBody | None:
        for p in params:
            if p.location is ir.ParamLocation.BODY:
                types = consumes or ("application/json",)
                return ir.RequestBody(
                    required=p.required,
                    content=tuple(ir.MediaType(media_type=t, schema=p.body_schema, pointer=p.pointer) for t in types),
                    pointer=p.pointer,
                )
        return None

    def _request_body(self, raw: Any, at: str) -> ir.RequestBody | None:
        if raw is None:
            return None
        resolved = self.sources.deref(raw, at)
        if resolved is None or not isinstance(resolved[0], dict):
            return None
        body, ptr = resolved
        return ir.RequestBody(
            required=body.get("required") is True,
            content=self._content(body.get("content"), join(ptr, "content")),
            pointer=ptr,
        )

    def _content(self, raw: Any, at: str) -> tuple[ir.MediaType, ...]:
        out = []
        for media_type, entry in _dict(raw).items():
            ptr = join(at, media_type)
            schema = (
                self._schema_ref(_dict(entry).get("schema"), join(ptr, "schema")) if "schema" in _dict(entry) else None
            )
            out.append(ir.MediaType(media_type=media_type, schema=schema, pointer=ptr))
        return tuple(out)

    def _responses(self, raw: Any, at: str, produces: tuple[str, ...]) -> tuple[ir.Response, ...]:
        out: list[ir.Response] = []
        for status, entry in _dict(raw).items():
            if str(status).startswith("x-"):
                continue
            ptr = join(at, status)
            via_ref = entry.get("$ref") if isinstance(entry, dict) and isinstance(entry.get("$ref"), str) else None
            resolved = self.sources.deref(entry, ptr)
            if resolved is None or not isinstance(resolved[0], dict):
                out.append(
                    ir.Response(
                        status=str(status), description=None, headers=(), content=(), pointer=ptr, via_ref=via_ref
                    )
                )
                continue
            resp, rptr = resolved
            headers = []
            for name, h in _dict(resp.get("headers")).items():
                hres = self.sources.deref(h, join(rptr, "headers", name))
                if hres is None:
                    continue
                hv, hptr = hres
                hv = _dict(hv)
                schema = (
                    hv.get("schema")
                    if not self.version.is_v2
                    else {k: v for k, v in hv.items() if k in ("type", "format", "items", "enum")}
                )
                headers.append(ir.Header(name=name, required=hv.get("required") is True, schema=schema, pointer=hptr))
            if self.version.is_v2:
                content: tuple[ir.MediaType, ...] = ()
                if "schema" in resp:
                    sref = self._schema_ref(resp.get("schema"), join(rptr, "schema"))
                    types = produces or ("application/json",)
                    content = tuple(
                        ir.MediaType(media_type=t, schema=sref, pointer=join(rptr, "schema")) for t in types
                    )
            else:
                content = self._content(resp.get("content"), join(rptr, "content"))
            out.append(
                ir.Response(
                    status=str(status),
                    description=_str(resp.get("description")),
                    headers=tuple(headers),
                    content=content,
                    pointer=ptr,
                    via_ref=via_ref,
                )
            )
        return tuple(out)

    def _security(self, raw: Any, at: str) -> tuple[ir.SecurityRequirement, ...]:
        out = []
        for i, req in enumerate(_list(raw)):
            if not isinstance(req, dict):
                continue
            schemes = tuple((name, _strings(scopes)) for name, scopes in req.items())
            out.append(ir.SecurityRequirement(schemes=schemes, pointer=join(at, i)))
        return tuple(out)

    # -- integrations --------------------------------------------------------------------

    def _integration(self, raw: dict, ptr: str) -> ir.Integration:
        type_raw = _str(raw.get("type"))
        pt_raw = _str(raw.get("passthroughBehavior"))
        ch_raw = _str(raw.get("contentHandling"))
        ct_raw = _str(raw.get("connectionType"))
        tls = _dict(raw.get("tlsConfig"))
        responses = []
        for key, resp in _dict(raw.get("responses")).items():
            if not isinstance(resp, dict):
                continue
            rptr = join(ptr, "responses", key)
            rch = _str(resp.get("contentHandling"))
            responses.append(
                ir.IntegrationResponse(
                    key=str(key),
                    status_code=_text(resp.get("statusCode")),
                    response_parameters=_value_map(resp.get("responseParameters")),
                    response_templates=_template_map(resp.get("responseTemplates")),
                    content_handling_raw=rch,
                    content_handling=ir.parse_enum(ir.ContentHandling, rch),
                    pointer=rptr,
                )
            )
        http_method = raw.get("httpMethod")
        return ir.Integration(
            type_raw=type_raw,
            type=ir.parse_enum(ir.IntegrationType, type_raw),
            http_method=http_method.upper() if isinstance(http_method, str) else None,
            uri=_value(raw.get("uri")),
            credentials=_value(raw.get("credentials")),
            request_parameters=_value_map(raw.get("requestParameters")),
            request_templates=_template_map(raw.get("requestTemplates")),
            passthrough_behavior_raw=pt_raw,
            passthrough_behavior=ir.parse_enum(ir.PassthroughBehavior, pt_raw),
            content_handling_raw=ch_raw,
            content_handling=ir.parse_enum(ir.ContentHandling, ch_raw),
            timeout_in_millis=_int(raw.get("timeoutInMillis")),
            cache_namespace=_str(raw.get("cacheNamespace")),
            cache_key_parameters=_strings(raw.get("cacheKeyParameters")),
            connection_type_raw=ct_raw,
            connection_type=ir.parse_enum(ir.ConnectionType, ct_raw),
            connection_id=_value(raw.get("connectionId")),
            integration_target=_value(raw.get("integrationTarget")),
            tls_insecure_skip_verification=_bool(tls.get("insecureSkipVerification")),
            responses=tuple(responses),
            response_transfer_mode=(_str(raw.get("responseTransferMode")) or "").upper() or None,
            pointer=ptr,
        )

    # -- security schemes ----------------------------------------------------------------

    def _security_schemes(self) -> dict[str, ir.SecurityScheme]:
        if self.version.is_v2:
            container, base = _dict(self.data.get("securityDefinitions")), "/securityDefinitions"
        else:
            container, base = (
                _dict(_dict(self.data.get("components")).get("securitySchemes")),
                "/components/securitySchemes",
            )
        out: dict[str, ir.SecurityScheme] = {}
        for name, raw in container.items():
            resolved = self.sources.deref(raw, join(base, name))
            if resolved is None or not isinstance(resolved[0], dict):
                continue
            scheme, ptr = resolved
            auth = _ext(scheme, "authorizer")
            authorizer = self._authorizer(auth, join(ptr, _EXT + "authorizer")) if isinstance(auth, dict) else None
            out[name] = ir.SecurityScheme(
                name=name,
                type=_str(scheme.get("type")),
                location=_str(scheme.get("in")),
                param_name=_str(scheme.get("name")),
                auth_type=_str(_ext(scheme, "authtype")),
                authorizer=authorizer,
                pointer=ptr,
            )
        return out

    def _authorizer(self, raw: dict, ptr: str) -> ir.Authorizer:
        type_raw = _str(raw.get("type"))
        ttl_raw = raw.get("authorizerResultTtlInSeconds")
        ttl = _int(ttl_raw)
        if ttl is None and isinstance(ttl_raw, str) and ttl_raw.strip().isdigit():
            ttl = int(ttl_raw)
        return ir.Authorizer(
            type_raw=type_raw,
            type=ir.parse_enum(ir.AuthorizerType, type_raw),
            authorizer_uri=_value(raw.get("authorizerUri")),
            authorizer_credentials=_value(raw.get("authorizerCredentials")),
            identity_source=_str(raw.get("identitySource")),
            identity_validation_expression=_str(raw.get("identityValidationExpression")),
            result_ttl_in_seconds=ttl,
            result_ttl_raw=ttl_raw,
            provider_arns=tuple(v for v in (_value(x) for x in _list(raw.get("providerARNs"))) if v is not None),
            pointer=ptr,
        )

    # -- root extensions -----------------------------------------------------------------

    def _request_validators(self) -> dict[str, ir.RequestValidator]:
        out = {}
        base = join("", _EXT + "request-validators")
        for name, raw in _dict(_ext(self.data, "request-validators")).items():
            raw = _dict(raw)
            out[name] = ir.RequestValidator(
                name=name,
                validate_body=raw.get("validateRequestBody") is True,
                validate_parameters=raw.get("validateRequestParameters") is True,
                pointer=join(base, name),
            )
        return out

    def _gateway_responses(self) -> dict[str, ir.GatewayResponse]:
        out = {}
        base = join("", _EXT + "gateway-responses")
        for rtype, raw in _dict(_ext(self.data, "gateway-responses")).items():
            raw = _dict(raw)
            out[rtype] = ir.GatewayResponse(
                response_type=rtype,
                status_code=_text(raw.get("statusCode")),
                response_parameters=_value_map(raw.get("responseParameters")),
                response_templates={k: v for k, v in _value_map(raw.get("responseTemplates")).items()},
                pointer=join(base, rtype),
            )
        return out

    def _endpoint_configuration(self) -> ir.EndpointConfiguration | None:
        raw, ptr = None, None
        if self.version.is_v2:
            raw, ptr = _ext(self.data, "endpoint-configuration"), join("", _EXT + "endpoint-configuration")
        else:
            for i, server in enumerate(_list(self.data.get("servers"))):
                if isinstance(server, dict) and isinstance(_ext(server, "endpoint-configuration"), dict):
                    raw = _ext(server, "endpoint-configuration")
                    ptr = join("/servers", i, _EXT + "endpoint-configuration")
                    break
        if not isinstance(raw, dict) or ptr is None:
            return None
        return ir.EndpointConfiguration(
            disable_execute_api_endpoint=_bool(raw.get("disableExecuteApiEndpoint")),
            vpc_endpoint_ids=tuple(v for v in (_value(x) for x in _list(raw.get("vpcEndpointIds"))) if v is not None),
            ip_address_type=_str(raw.get("ipAddressType")),
            pointer=ptr,
        )

    # -- x-apigwc ------------------------------------------------------------------------

    @staticmethod
    def _throttle(raw: Any, ptr: str) -> ir.Throttle | None:
        if not isinstance(raw, dict):
            return None
        rate = raw.get("rateLimit")
        return ir.Throttle(
            burst_limit=_int(raw.get("burstLimit")),
            rate_limit=as_float(rate) if isinstance(rate, (int, float)) and not isinstance(rate, bool) else None,
            pointer=ptr,
        )

    def _stages(self, raw: dict) -> dict[str, ir.Stage]:
        out = {}
        for name, stage in raw.items():
            ptr = join("/x-apigwc/stages", name)
            stage = _dict(stage)
            settings = []
            for key, ms in _dict(stage.get("methodSettings")).items():
                ms = _dict(ms)
                mptr = join(ptr, "methodSettings", key)
                resource_path, _, verb = key.rpartition("/")
                settings.append(
                    ir.MethodSetting(
                        key=key,
                        resource_path=resource_path or "/",
                        http_method=verb,
                        throttle=self._throttle(ms.get("throttling"), join(mptr, "throttling")),
                        logging_level=_str(ms.get("loggingLevel")),
                        data_trace_enabled=_bool(ms.get("dataTraceEnabled")),
                        metrics_enabled=_bool(ms.get("metricsEnabled")),
                        caching_enabled=_bool(ms.get("cachingEnabled")),
                        cache_ttl_in_seconds=_int(ms.get("cacheTtlInSeconds")),
                        cache_data_encrypted=_bool(ms.get("cacheDataEncrypted")),
                        require_authorization_for_cache_control=_bool(ms.get("requireAuthorizationForCacheControl")),
                        unauthorized_cache_control_header_strategy=_str(
                            ms.get("unauthorizedCacheControlHeaderStrategy")
                        ),
                        pointer=mptr,
                    )
                )
            log = _dict(stage.get("accessLog"))
            access_log = (
                ir.AccessLog(
                    format=log["format"],
                    destination_arn=_value(log.get("destinationArn")),
                    pointer=join(ptr, "accessLog"),
                )
                if isinstance(log.get("format"), str)
                else None
            )
            out[name] = ir.Stage(
                name=name,
                description=_str(stage.get("description")),
                variables={k: t for k, v in _dict(stage.get("variables")).items() if (t := _text(v)) is not None},
                throttle=self._throttle(stage.get("throttling"), join(ptr, "throttling")),
                method_settings=tuple(settings),
                access_log=access_log,
                tracing_enabled=stage.get("tracingEnabled") is True,
                cache_cluster_enabled=stage.get("cacheClusterEnabled") is True,
                cache_cluster_size=_text(stage.get("cacheClusterSize")),
                tags={k: v for k, v in _dict(stage.get("tags")).items() if isinstance(v, str)},
                pointer=ptr,
            )
        return out

    def _usage_plans(self, raw: dict) -> dict[str, ir.UsagePlan]:
        out = {}
        for name, plan in raw.items():
            ptr = join("/x-apigwc/usagePlans", name)
            plan = _dict(plan)
            quota_raw = _dict(plan.get("quota"))
            quota = None
            if _int(quota_raw.get("limit")) is not None and isinstance(quota_raw.get("period"), str):
                quota = ir.Quota(
                    limit=_int(quota_raw.get("limit")) or 0,
                    offset=_int(quota_raw.get("offset")) or 0,
                    period=quota_raw["period"],
                    pointer=join(ptr, "quota"),
                )
            out[name] = ir.UsagePlan(
                name=name,
                description=_str(plan.get("description")),
                throttle=self._throttle(plan.get("throttle"), join(ptr, "throttle")),
                quota=quota,
                method_throttle={
                    k: t
                    for k, v in _dict(plan.get("methodThrottle")).items()
                    if (t := self._throttle(v, join(ptr, "methodThrottle", k))) is not None
                },
                stages=_strings(plan.get("stages")),
                api_keys=_strings(plan.get("apiKeys")),
                pointer=ptr,
            )
        return out

    def _api_keys(self, raw: dict) -> dict[str, ir.ApiKey]:
        out = {}
        for name, key in raw.items():
            key = _dict(key)
            out[name] = ir.ApiKey(
                name=name,
                value=_str(key.get("value")),
                enabled=key.get("enabled") is not False,
                description=_str(key.get("description")),
                customer_id=_str(key.get("customerId")),
                pointer=join("/x-apigwc/apiKeys", name),
            )
        return out

    def _local(self, raw: Any) -> ir.LocalSettings | None:
        if not isinstance(raw, dict):
            return None
        timeout = raw.get("lambdaTimeoutSeconds")
        return ir.LocalSettings(
            lambdas={k: v for k, v in _dict(raw.get("lambdas")).items() if isinstance(v, str)},
            jwks={k: v for k, v in _dict(raw.get("jwks")).items() if isinstance(v, str)},
            endpoints={k: v for k, v in _dict(raw.get("endpoints")).items() if isinstance(v, str)},
            python_path=_strings(raw.get("pythonPath")),
            lambda_timeout_seconds=float(timeout)
            if isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
            else None,
            pointer="/x-apigwc/local",
            functions=self._functions(_dict(raw.get("functions"))),
        )

    def _functions(self, raw: dict) -> dict[str, ir.LocalFunction]:
        """``x-apigwc.local.functions``: {Name: {runtime, handler, codeUri, environment, timeout, memorySize, layers, reservedConcurrency}}."""
        out: dict[str, ir.LocalFunction] = {}
        for name in sorted(raw):
            fn = _dict(raw[name])
            timeout = fn.get("timeout")
            memory = _int(fn.get("memorySize"))
            environment = {k: t for k, v in _dict(fn.get("environment")).items() if (t := _text(v)) is not None}
            out[name] = ir.LocalFunction(
                name=name,
                runtime=_str(fn.get("runtime")) or "",
                handler=_str(fn.get("handler")) or "",
                code_uri=_str(fn.get("codeUri")) or ".",
                environment=environment,
                timeout=float(timeout)
                if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0
                else 3.0,
                memory_size=memory if memory is not None and memory > 0 else 128,
                layers=_strings(fn.get("layers")),
                reserved_concurrency=_int(fn.get("reservedConcurrency")),
                pointer=join("/x-apigwc/local/functions", name),
            )
        return out

    # -- suppressions --------------------------------------------------------------------

    def _suppressions(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for doc in self.sources.documents():
            if not doc.may_mention("x-apigwc-ignore"):
                continue
            key = self.sources.file_key(doc)
            prefix = key + "#" if key else ""
            for ptr, codes in _find_ignores(doc.data, ""):
                out[prefix + ptr] = codes
        return out


def _find_ignores(node: Any, ptr: str) -> Iterable[tuple[str, tuple[str, ...]]]:
    if isinstance(node, dict):
        if "x-apigwc-ignore" in node:
            raw = node["x-apigwc-ignore"]
            codes = (raw,) if isinstance(raw, str) else tuple(c for c in _list(raw) if isinstance(c, str))
            yield ptr, codes
        for k, v in node.items():
            if isinstance(v, (dict, list)):
                yield from _find_ignores(v, join(ptr, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, (dict, list)):
                yield from _find_ignores(v, join(ptr, i))


def build_api(sources: Sources, version: SpecVersion, diags: Diagnostics) -> ir.Api:
    """Build the IR of a checked document."""
    return _Builder(sources, version, diags).build()
