"""Expand a template the way CloudFormation does before it creates the stack.

1. ``AWS::Include`` (``Fn::Transform``) snippets are replaced by their local file's content.
   CloudFormation processes snippet-level transforms before the template-level
   ``AWS::Serverless`` transform [Doc: "Template macros", evaluation order], which is why
   SAM can add CORS and auth to an included OpenAPI body.
2. The SAM transform runs with the official translator (``aws-sam-translator``, the library
   behind CloudFormation's ``AWS::Serverless`` transform, ``sam validate`` and cfn-lint), so
   the OpenAPI body, stage, usage plan and permissions apigwc reads are the ones AWS
   deploys.  It runs offline: local ``CodeUri`` / ``DefinitionUri`` / ``ContentUri`` values
   are swapped for ``s3://`` placeholders first (as SAM CLI does for ``sam validate``), the
   managed-policy map answers every name with its AWS-managed ARN, and the boto3 session
   only carries the region.  A local ``DefinitionUri`` file replaces its placeholder's
   ``BodyS3Location`` afterwards, so SAM treats it exactly as it treats an uploaded file.
3. Speed without a different answer.  The translator deep-copies the whole OpenAPI body
   about four times per API event, which makes a template's first translation grow with the
   square of its routes (32 s for 400).  Those copies matter: the translator's dicts emulate
   Python 2.7's key order and a copy can reorder keys, which feeds the Deployment's logical
   id, so they are not skipped.  ``template/samcopy.py`` makes them with ``copy.deepcopy``
   but shares the path items a copy would leave as they are; its docstring gives the
   argument and the guards (only inside the two translator methods that make the per-event
   copies, only for translator sources read and tested, the plain translator again on any
   error, ``APIGWC_SAM_FAST=0`` to turn it off).  tests/template/test_sam_fast.py translates
   every corpus template, the benchmark's template and one template per body-editing SAM
   feature both ways and asserts the same JSON text.  The chosen alternative to translating
   shards of the template and merging them: the order of ``paths``, and so the Deployment
   id, depends on every path at once, so no merge could be proven equal.
"""

from __future__ import annotations

import copy
import difflib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostics
from ..source import Document, join, near_sibling
from .codes import INCLUDE_ERROR, SAM_ERROR, SAM_LOCAL_ONLY, UNKNOWN_TYPE
from .load import SAM_TRANSFORM, Template, transforms

PLACEHOLDER_BUCKET = "apigwc-local-placeholder"


@dataclass
class Expanded:
    """The template after includes and the SAM transform, and how to find where things came from."""

    #: the template with includes inlined, before SAM (what the translator was given)
    prepared: dict
    #: the CloudFormation after SAM (``prepared`` itself for a template without the transform)
    output: dict
    #: template pointer (in ``prepared``) -> the included file's document
    includes: dict[str, Document] = field(default_factory=dict)
    #: placeholder S3 key -> (local file document, template pointer of the DefinitionUri)
    definition_uris: dict[str, tuple[Document, str]] = field(default_factory=dict)
    #: function logical id -> local CodeUri / ContentUri as written (placeholders undone)
    code_uris: dict[str, str] = field(default_factory=dict)
    sam: bool = False
    ok: bool = True


def _is_include(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1 and "Fn::Transform" in value:
        spec = value["Fn::Transform"]
        if isinstance(spec, dict) and spec.get("Name") == "AWS::Include":
            return spec
    return None


def inline_includes(template: Template, data: Any, pointer: str, diags: Diagnostics, out: dict[str, Document]) -> Any:
    """``data`` with every local AWS::Include replaced by its file's data (reported when impossible)."""
    spec = _is_include(data)
    if spec is not None:
        params = spec.get("Parameters") if isinstance(spec.get("Parameters"), dict) else {}
        location = params.get("Location")
        loc_ptr = join(pointer, "Fn::Transform", "Parameters", "Location")
        if not isinstance(location, str):
            diags.add(
                INCLUDE_ERROR,
                "AWS::Include needs a Parameters.Location string",
                span=template.span(join(pointer, "Fn::Transform")),
            )
            return data
        if location.startswith("s3://") or location.startswith("https://"):
            diags.add(
                INCLUDE_ERROR,
                f"AWS::Include location {location!r} is in S3; apigwc reads only local files",
                span=template.span(loc_ptr),
                hint="keep a copy of the file in the repository and point Location at it (a path relative to the template)",
            )
            return data
        if _missing(template, location, f"AWS::Include location {location!r}", loc_ptr, "location", diags):
            return data
        doc = template.include(location, diags)
        if doc is None:
            return data
        out[pointer] = doc
        return copy.deepcopy(doc.data)
    if isinstance(data, dict):
        return {k: inline_includes(template, v, join(pointer, k), diags, out) for k, v in data.items()}
    if isinstance(data, list):
        return [inline_includes(template, v, join(pointer, i), diags, out) for i, v in enumerate(data)]
    return data


def _missing(template: Template, relative: str, label: str, pointer: str, noun: str, diags: Diagnostics) -> bool:
    """Report (INCLUDE_ERROR, at ``pointer``) a file the template names that is not there; True if so."""
    path = (template.path.parent / relative).resolve()
    if path.is_file():
        return False
    near = near_sibling(path)
    diags.add(
        INCLUDE_ERROR,
        f"{label}: no such file",
        span=template.span(pointer),
        hint=f"did you mean {near!r}?" if near else f"the {noun} is relative to the template's folder",
    )
    return True


def _local(uri: Any) -> bool:
    return isinstance(uri, str) and not uri.startswith(("s3://", "https://", "http://"))


class _AwsManagedPolicies(dict):
    """Every managed policy name maps to its AWS-managed ARN (no IAM call, unlike the default loader)."""

    def __missing__(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{name}"

    def get(self, name: str, default: Any = None) -> Any:  # the translator uses .get
        return self[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and not name.startswith("arn:")


_KNOWN_SAM = (
    "AWS::Serverless::Api AWS::Serverless::Application AWS::Serverless::Connector AWS::Serverless::Function "
    "AWS::Serverless::GraphQLApi AWS::Serverless::HttpApi AWS::Serverless::LayerVersion AWS::Serverless::SimpleTable "
    "AWS::Serverless::StateMachine AWS::Serverless::CapacityProvider"
).split()
_KNOWN_APIGW = (
    "Account ApiKey Authorizer BasePathMapping BasePathMappingV2 ClientCertificate Deployment DocumentationPart "
    "DocumentationVersion DomainName DomainNameAccessAssociation DomainNameV2 GatewayResponse Method Model "
    "RequestValidator Resource RestApi Stage UsagePlan UsagePlanKey VpcLink"
).split()


def check_types(template: Template, diags: Diagnostics) -> None:
    import re

    known = _KNOWN_SAM + [f"AWS::ApiGateway::{n}" for n in _KNOWN_APIGW]
    for name, res in template.resources.items():
        kind = res.get("Type") if isinstance(res, dict) else None
        ptr = join("/Resources", name, "Type")
        if not isinstance(kind, str):
            continue
        bad = False
        if kind.startswith(("AWS::Serverless::", "AWS::ApiGateway::")):
            bad = kind not in known
        elif not (
            kind.startswith("Custom::") or re.fullmatch(r"[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::MODULE)?", kind)
        ):
            bad = True
        if bad:
            close = difflib.get_close_matches(kind, known, n=1)
            diags.add(
                UNKNOWN_TYPE,
                f"resource {name}: unknown resource type {kind!r}",
                span=template.span(ptr),
                hint=f"did you mean {close[0]!r}?"
                if close
                else "resource types have the form Vendor::Service::Resource",
            )


def expand(
    template: Template, parameters: dict[str, Any], region: str, diags: Diagnostics, resolver: Any = None
) -> Expanded:
    """Inline includes, then run the SAM transform when the template declares it."""
    includes: dict[str, Document] = {}
    prepared = inline_includes(template, template.data, "", diags, includes)
    result = Expanded(prepared=prepared, output=prepared, includes=includes)
    if SAM_TRANSFORM not in transforms(template.data):
        return result
    result.sam = True
    sam_input = sam_input_of(template, prepared, result, diags)
    # a resource whose include could not be read (AGW032, reported) is no longer what the user
    # wrote: what the translator then says about it is a consequence, not a second problem
    skip = _with_failed_include(prepared)
    first = Diagnostics()
    output = _translate(template, copy.deepcopy(sam_input), parameters, region, first, skip)
    if output is None and resolver is not None:
        # SAM CLI resolves parameters and pseudo parameters all over the template before it
        # translates (sam local); CloudFormation's transform does not.  Serve SAM CLI's reading,
        # and say that a deploy would fail.
        for key in ("Resources", "Globals"):
            if isinstance(sam_input.get(key), dict):
                sam_input[key] = resolver.resolve_in_place(sam_input[key])
        output = _translate(template, sam_input, parameters, region, Diagnostics(), skip)
        if output is not None:
            for d in first:
                diags.add(
                    SAM_LOCAL_ONLY,
                    d.message + " (SAM CLI accepts it locally because it resolves parameters first)",
                    span=d.span,
                    hint="CloudFormation's AWS::Serverless transform rejects this on deploy; write the value without a parameter Ref",
                )
    if output is None:
        diags.extend(first)
        result.ok = False
        return result
    result.output = output
    return result


def sam_input_of(template: Template, prepared: dict, result: Expanded, diags: Diagnostics) -> dict:
    """What the translator is given: ``prepared`` with local code and definition files as placeholders.

    The local values are kept in ``result`` (``code_uris``, ``definition_uris``).
    """
    sam_input = copy.deepcopy(prepared)
    resources = sam_input.get("Resources") if isinstance(sam_input.get("Resources"), dict) else {}
    globals_fn = (
        (sam_input.get("Globals") or {}).get("Function") if isinstance(sam_input.get("Globals"), dict) else None
    )
    if isinstance(globals_fn, dict) and _local(globals_fn.get("CodeUri")):
        for name, res in resources.items():
            if isinstance(res, dict) and res.get("Type") == "AWS::Serverless::Function":
                props = res.setdefault("Properties", {}) if isinstance(res.get("Properties", {}), dict) else {}
                if "CodeUri" not in props and "InlineCode" not in props and "ImageUri" not in props:
                    result.code_uris[name] = globals_fn["CodeUri"]
        globals_fn["CodeUri"] = f"s3://{PLACEHOLDER_BUCKET}/globals"
    for name, res in resources.items():
        if not isinstance(res, dict) or not isinstance(res.get("Properties"), dict):
            continue
        props, kind = res["Properties"], res.get("Type")
        if (
            kind == "AWS::Serverless::Function"
            and not any(k in props for k in ("CodeUri", "InlineCode", "ImageUri"))
            and not (
                isinstance(globals_fn, dict) and any(k in globals_fn for k in ("CodeUri", "InlineCode", "ImageUri"))
            )
            and props.get("PackageType") != "Image"
        ):
            props["CodeUri"] = "."  # SAM CLI's default: the template's folder [Obs: sam build / sam package]
        if kind == "AWS::Serverless::Function" and _local(props.get("CodeUri")):
            result.code_uris[name] = props["CodeUri"]
            props["CodeUri"] = f"s3://{PLACEHOLDER_BUCKET}/{name}"
        elif kind == "AWS::Serverless::LayerVersion" and _local(props.get("ContentUri")):
            result.code_uris[name] = props["ContentUri"]
            props["ContentUri"] = f"s3://{PLACEHOLDER_BUCKET}/{name}"
        elif kind in ("AWS::Serverless::Api", "AWS::Serverless::StateMachine", "AWS::Serverless::HttpApi") and _local(
            props.get("DefinitionUri")
        ):
            uri_ptr = join("/Resources", name, "Properties", "DefinitionUri")
            if kind == "AWS::Serverless::Api":
                uri = props["DefinitionUri"]
                if not _missing(template, uri, f"DefinitionUri {uri!r}", uri_ptr, "path", diags):
                    doc = template.include(props["DefinitionUri"], diags)
                    if doc is not None:
                        result.definition_uris[name] = (doc, uri_ptr)
            props["DefinitionUri"] = f"s3://{PLACEHOLDER_BUCKET}/{name}"
    return sam_input


def _cache_file(sam_input: dict, parameters: dict[str, Any], region: str) -> Path | None:
    """Where the translation of exactly this input is cached (None when there is no cache folder).

    A template that did not change is translated once (the first translation of a large
    template is the slow part of its lint: see samcopy.py).  The key is the translator's version plus the input, the
    parameters and the region, so any change translates again.  APIGWC_CACHE_DIR moves the
    folder; APIGWC_CACHE_DIR="" turns the cache off.
    """
    import hashlib
    import os

    import samtranslator

    base = os.environ.get("APIGWC_CACHE_DIR")
    if base == "":
        return None
    folder = Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "apigwc" / "sam"
    key = json.dumps([samtranslator.__version__, sam_input, parameters, region], sort_keys=True, default=str)
    return folder / (hashlib.sha256(key.encode()).hexdigest() + ".json")


def _with_failed_include(prepared: Any) -> frozenset[str]:
    """Logical ids of the resources that still hold an AWS::Include (one that could not be inlined)."""

    def holds(value: Any) -> bool:
        if _is_include(value) is not None:
            return True
        if isinstance(value, dict):
            return any(holds(v) for v in value.values())
        if isinstance(value, list):
            return any(holds(v) for v in value)
        return False

    resources = prepared.get("Resources") if isinstance(prepared, dict) else None
    if not isinstance(resources, dict):
        return frozenset()
    return frozenset(name for name, res in resources.items() if holds(res))


def _translate(
    template: Template,
    sam_input: dict,
    parameters: dict[str, Any],
    region: str,
    diags: Diagnostics,
    skip: frozenset[str] = frozenset(),
) -> dict | None:
    from ..extras import missing

    absent = missing("sam", ("samtranslator", "boto3"))
    if absent is not None:  # the core install leaves the translator out: say how to get it, at the Transform
        diags.add(SAM_ERROR, f"a SAM template: {absent}", span=template.span("/Transform", at_key=True))
        return None
    cache = _cache_file(sam_input, parameters, region)
    if cache is not None:
        try:
            return json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    output = _run_translator(template, sam_input, parameters, region, diags, skip)
    if output is not None and cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(output), encoding="utf-8")
            tmp.replace(cache)
        except OSError:
            pass  # a read-only home: no cache
    return output


def _translate_once(sam_input: dict, parameters: dict[str, Any], region: str) -> dict:
    """The steps of ``samtranslator.translator.transform.transform()``, CloudFormation's entry point.

    py27-compatible dicts keep the generated logical ids (the Deployment's hash) as AWS makes
    them; the session carries the region and the policy map needs no IAM call.  Raises what
    the translator raises.
    """
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import to_py27_compatible_template, undo_mark_unicode_str_in_template

    session = boto3.session.Session(region_name=region, aws_access_key_id="local", aws_secret_access_key="local")
    translator = Translator(None, Parser(), boto_session=session)
    parameter_values = dict(parameters)
    to_py27_compatible_template(sam_input, parameter_values)
    output = translator.translate(
        sam_input, parameter_values=parameter_values, get_managed_policy_map=lambda: _AwsManagedPolicies()
    )
    # plain JSON (the translator's last step: its Python 2.7-ordered dicts become JSON text, in that order)
    return undo_mark_unicode_str_in_template(
        output
    )  # plain JSON types (the translator hands out its own dict subclasses)


def _run_translator(
    template: Template,
    sam_input: dict,
    parameters: dict[str, Any],
    region: str,
    diags: Diagnostics,
    skip: frozenset[str] = frozenset(),
) -> dict | None:
    """The translator's output, or None with its errors reported (except those about a resource in ``skip``)."""
    from samtranslator.model.exceptions import InvalidDocumentException, InvalidEventException, InvalidResourceException

    from . import samcopy

    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    if samcopy.available():
        try:
            with samcopy.fast_copies():
                return _translate_once(copy.deepcopy(sam_input), parameters, region)
        except Exception:  # noqa: BLE001, S110 - the plain translator below runs again and reports it
            pass
    try:
        return _translate_once(sam_input, parameters, region)
    except InvalidDocumentException as exc:
        for cause in exc.causes:
            _report_cause(template, cause, diags, skip)
        return None
    except (InvalidResourceException, InvalidEventException) as exc:
        _report_cause(template, exc, diags, skip)
        return None
    except Exception as exc:  # noqa: BLE001 - the translator's own crash is reported, located at the transform
        diags.add(
            SAM_ERROR,
            f"the SAM translator failed: {type(exc).__name__}: {exc}",
            span=template.span("/Transform"),
        )
        return None


def _deepest(props: dict, message: str) -> list[str] | None:
    import re

    best = None
    aliases = {
        "Authorizer": ["Auth", "Authorizer"],
        "ApiKeyRequired": ["Auth", "ApiKeyRequired"],
        "Authorizers": ["Auth", "Authorizers"],
    }
    for m in re.finditer(r"([A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9_]+)*)", message):
        tokens = aliases.get(m.group(1), m.group(1).split("."))
        node, path = props, []
        for tok in tokens:
            if isinstance(node, dict) and tok in node:
                node = node[tok]
                path.append(tok)
            else:
                break
        if path and (best is None or len(path) > len(best)):
            best = path
    return best


def _report_cause(template: Template, cause: Any, diags: Diagnostics, skip: frozenset[str] = frozenset()) -> None:
    import re

    message = getattr(cause, "message", str(cause))
    logical = getattr(cause, "_logical_id", None)
    if logical in skip:
        return
    event = getattr(cause, "_event_id", None)
    pointer = "/Transform"
    if isinstance(logical, str) and logical in template.resources:
        pointer = join("/Resources", logical)
        props = template.resources[logical].get("Properties") if isinstance(template.resources[logical], dict) else None
        ev = re.search(r"Event with id \[([^\]]+)\]", message)
        events = props.get("Events") if isinstance(props, dict) else None
        if ev and isinstance(events, dict) and isinstance(events.get(ev.group(1)), dict):
            props = (
                events[ev.group(1)].get("Properties") if isinstance(events[ev.group(1)].get("Properties"), dict) else {}
            )
            pointer = join(pointer, "Properties", "Events", ev.group(1))
            message_tail = message[ev.end() :]
            best = _deepest(props, message_tail)
            if best:
                pointer = join(pointer, "Properties", *best)
            props = None
        if isinstance(props, dict):
            # the deepest property path the message names ('Auth.Authorizers.X', 'Cors', "Property 'Method'")
            best = _deepest(props, message)
            if best:
                pointer = join(pointer, "Properties", *best)
    elif isinstance(event, str):
        for name, res in template.resources.items():
            events = (
                (res.get("Properties") or {}).get("Events")
                if isinstance(res, dict) and isinstance(res.get("Properties"), dict)
                else None
            )
            if isinstance(events, dict) and event in events:
                pointer = join("/Resources", name, "Properties", "Events", event)
                break
    diags.add(SAM_ERROR, message, span=template.span(pointer, at_key=True))
