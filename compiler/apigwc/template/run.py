"""A template through the pipeline: load -> expand (includes, SAM) -> APIs -> lint / lower each.

Each API of the template is linted and lowered exactly like an OpenAPI file, from a
`Sources` whose main document is the API's `MappedDocument`: diagnostics are located in
the template (or in its include / DefinitionUri file).  Problems of the template itself
(AGW030-AGW038) come first, in a result of their own when the template has several APIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..diagnostics import Diagnostic, Diagnostics
from ..source import Sources
from ..stages import CompileResult, LintResult, finalize, gc_paused, lint_sources
from .apis import MappedDocument, TemplateApi, describe, discover
from .codes import CIRCULAR, NO_API, VALUE_UNKNOWN
from .expand import check_types, expand
from .explicit import lift_rest_api
from .functions import FunctionSet, read_functions
from .load import Template, is_template, is_template_file, load_template
from .values import SELECTION, Circular, Kept, LocalValues, Resolver, Selection, resource_cycle


@dataclass
class OpenedTemplate:
    """A loaded template: its APIs, functions and the problems of the template itself."""

    template: Template | None
    diags: Diagnostics
    apis: list[TemplateApi] = field(default_factory=list)
    functions: FunctionSet = field(default_factory=FunctionSet)
    #: (template pointer, what, flag): values the local gateway cannot know
    unknowns: list[tuple[str, str, str]] = field(default_factory=list)
    #: with `LocalValues.symbolic`: what each API took from an intrinsic (`Resolver.kept`)
    kept: list[Kept] = field(default_factory=list)
    #: the resources as CloudFormation creates them: after includes and the SAM transform
    deployed: dict[str, Any] = field(default_factory=dict)

    def texts(self) -> dict[str, str]:
        if self.template is None:
            return {}
        return {d.display: d.text for d in self.template.documents()}


def open_template(
    path: Path, display: str, values: LocalValues | None = None, raw: bytes | None = None
) -> OpenedTemplate:
    """Load and expand a template and find its APIs (``raw``: its bytes, e.g. standard input; ``path``
    then only places it).  Raises OSError if the file cannot be read."""
    values = values or LocalValues()
    diags = Diagnostics()
    template = load_template(path, display, diags, raw)
    opened = OpenedTemplate(template, diags)
    if template is None:
        return opened
    if not isinstance(template.data, dict) or not is_template(template.data):
        diags.add(NO_API, "the file is not a CloudFormation or SAM template", span=template.doc.start_span())
        return opened
    check_types(template, diags)
    resolver = Resolver(template.data, values)
    try:
        for name in list(resolver.condition_defs):
            resolver.condition(name)
    except Circular as exc:
        diags.add(
            CIRCULAR,
            "circular reference between conditions: " + " -> ".join(exc.chain),
            span=template.span(f"/Conditions/{exc.chain[0]}", at_key=True),
        )
        return opened
    parameters = {k: v for k, v in values.params.items() if k in resolver.declared}
    expanded = expand(template, parameters, resolver.region, diags, resolver)
    if not expanded.ok:
        return opened
    out_resources = expanded.output.get("Resources") if isinstance(expanded.output.get("Resources"), dict) else {}
    cycle = resource_cycle(out_resources)  # on the CloudFormation SAM produced: SAM events are not references
    if cycle:
        first = next((c for c in cycle if c in template.resources), None)
        diags.add(
            CIRCULAR,
            "circular reference between resources: " + " -> ".join(cycle),
            span=template.span(f"/Resources/{first}", at_key=True)
            if first
            else template.span("/Resources", at_key=True),
            hint="CloudFormation rejects the template (Circular dependency between resources); break one of the references",
        )
        return opened

    def report(pointer: str, what: str, flag: str) -> None:
        opened.unknowns.append((pointer, what, flag))
        diags.add(VALUE_UNKNOWN, f"{what}; not known locally", span=template.span(pointer), hint=f"set it with {flag}")

    opened.functions = read_functions(
        expanded.output, expanded.prepared, expanded.code_uris, template.path.parent, resolver, report
    )
    opened.apis = discover(template, expanded, resolver, opened.functions, diags, report, lift_rest_api)
    for name, kind in resolver.stand_ins.items():
        report(
            f"/Resources/{name}/Type",
            f"Ref {name} stands in as its logical id (apigwc knows no return value of a {kind})",
            f"--param {name}=VALUE",
        )
    opened.kept = resolver.kept
    opened.deployed = out_resources
    if not opened.apis and not diags.has_errors():
        diags.add(
            NO_API,
            f"the template holds no REST API (found: {describe(template)})",
            span=template.span("/Resources", at_key=True)
            if "Resources" in template.data
            else template.doc.start_span(),
            hint="apigwc reads AWS::Serverless::Api, function events of Type Api, and AWS::ApiGateway::RestApi",
        )
    return opened


def select(opened: OpenedTemplate, api: str | None) -> list[TemplateApi] | str:
    """The APIs to work on (all, or the one --api names); a message if --api names none."""
    if api is None:
        return opened.apis
    found = [a for a in opened.apis if a.logical_id == api]
    if found:
        return found
    names = ", ".join(a.logical_id for a in opened.apis) or "none"
    return f"--api {api}: the template has no REST API with that logical id (its APIs: {names})"


def lint_api(opened: OpenedTemplate, api: TemplateApi, config: Config) -> LintResult:
    """Lint one API of an opened template."""
    assert opened.template is not None
    diags = Diagnostics()
    main = MappedDocument(api.body_doc, api.document, api.origin)
    if config.ref_root is not None:
        sources = Sources(main, diags, config.ref_root)
    else:
        root = project_root(opened.template.path.parent)
        body = api.body_doc.path.parent.resolve()
        also = () if body.is_relative_to(root) else (body,)
        sources = Sources(main, diags, root, also, _ROOT_HINT, "the template's project")
    return lint_sources(sources, f"{opened.template.doc.display} ({api.logical_id})", diags, config, opened.texts())


#: project markers, outermost meaning first: the repository, then SAM CLI's config file
_REPOSITORY = (".git", ".hg", ".svn")
_SAM_CONFIG = ("samconfig.toml", "samconfig.yaml", "samconfig.yml")
_ROOT_HINT = (
    "a template's $refs may reach its project: the repository (the folder with .git), else the folder with "
    "samconfig.toml, else the template's folder; set ref-root in apigwc.toml or [tool.apigwc] (or --ref-root) "
    "to widen it"
)


def project_root(folder: Path) -> Path:
    """The folder a template's local `$ref`s may reach without --ref-root: its project.

    A SAM project is a repository: its templates' OpenAPI files `$ref` shared schemas beside
    the service folder (ecommerce-products: `../../shared/resources/schemas.yaml`, bundled by
    the project's own build).  The project is the nearest repository (`.git`, `.hg`, `.svn`);
    without one, the nearest folder with SAM CLI's `samconfig.*`; else the template's folder.
    The `AWS::Include` / `DefinitionUri` file's folder is allowed too (the template names it).
    Anything further is refused (AGW008, located): a spec must not read arbitrary files of
    the machine into a bundle or a served answer.
    """
    folder = folder.resolve()
    chain = (folder, *folder.parents)
    for markers in (_REPOSITORY, _SAM_CONFIG):
        for parent in chain:
            if any((parent / m).exists() for m in markers):
                return parent
    return folder


def template_result(opened: OpenedTemplate, display: str, config: Config) -> LintResult:
    """The template's own findings as a lint result (located already)."""
    return LintResult(display=display, diagnostics=finalize(opened.diags, None, None, config), texts=opened.texts())


def lint_template(
    path: Path, display: str, config: Config, values: LocalValues | None = None, api: str | None = None
) -> list[LintResult] | str:
    """Every selected API's lint result, the template's own findings first."""
    with gc_paused():
        opened = open_template(path, display, values)
        chosen = select(opened, api)
        if isinstance(chosen, str):
            return chosen
        return [template_result(opened, display, config), *(lint_api(opened, a, config) for a in chosen)]


def lint_template_as_one(path: Path, display: str, config: Config, raw: bytes | None = None) -> LintResult:
    """One result for a template (pipeline.lint_file): the selected (or only) API's, with the
    template's findings; with several APIs and no --api, every API's findings in one result.
    ``raw``: the template's bytes when read from standard input (``path`` places it)."""
    selection = SELECTION.get()
    opened = open_template(path, display, selection.values, raw)
    head = template_result(opened, display, config)
    chosen = select(opened, selection.api)
    if isinstance(chosen, str):
        head.diagnostics = sorted(head.diagnostics + [_usage(opened, chosen)], key=lambda d: d.sort_key)
        return head
    if len(chosen) == 1:
        result = lint_api(opened, chosen[0], config)
        result.diagnostics = sorted(head.diagnostics + result.diagnostics, key=lambda d: d.sort_key)
        result.display = display
        return result
    merged: list[Diagnostic] = list(head.diagnostics)
    for a in chosen:
        merged += lint_api(opened, a, config).diagnostics
    head.diagnostics = sorted(merged, key=lambda d: d.sort_key)
    return head


def _usage(opened: OpenedTemplate, message: str) -> Diagnostic:
    assert opened.template is not None
    d = Diagnostics()
    d.add(NO_API, message, span=opened.template.doc.start_span())
    return d.items[0]


def api_ids(path: Path, display: str) -> list[str]:
    """The logical ids of the template's selected APIs (every API without --api)."""
    selection = SELECTION.get()
    opened = open_template(path, display, selection.values)
    chosen = select(opened, selection.api)
    return [] if isinstance(chosen, str) else [a.logical_id for a in chosen]


def each_api(files: list[Path], selection: Selection) -> list[tuple[Path, Selection]]:
    """(file, selection) per API to build: a template with several APIs (and no --api) once per API."""
    import dataclasses

    out: list[tuple[Path, Selection]] = []
    for f in files:
        if selection.api is None and is_template_file(f):
            token = SELECTION.set(selection)
            try:
                ids = api_ids(f, str(f))
            finally:
                SELECTION.reset(token)
            if ids:
                out.extend((f, dataclasses.replace(selection, api=a)) for a in ids)
                continue
        out.append((f, selection))
    return out


@dataclass
class CompiledTemplate:
    opened: OpenedTemplate
    head: LintResult
    apis: dict[str, CompileResult]

    @property
    def ok(self) -> bool:
        return not self.head.has_errors and all(c.ok for c in self.apis.values())


def compile_template(
    path: Path, display: str, config: Config, values: LocalValues | None = None, api: str | None = None
) -> CompiledTemplate | str:
    """Lint and lower every selected API (lowering skipped for an API with errors)."""
    from ..lower import lower_api

    with gc_paused():
        opened = open_template(path, display, values)
        chosen = select(opened, api)
        if isinstance(chosen, str):
            return chosen
        head = template_result(opened, display, config)
        out: dict[str, CompileResult] = {}
        for a in chosen:
            result = lint_api(opened, a, config)
            if result.api is None or result.has_errors or head.has_errors:
                out[a.logical_id] = CompileResult(result)
            else:
                out[a.logical_id] = CompileResult(result, lower_api(result.api))
        return CompiledTemplate(opened, head, out)
