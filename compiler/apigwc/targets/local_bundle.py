"""The local target: the bundle that ``apigwc serve`` runs, a folder with the gateway as data.

``apigwc build`` writes ``output/<api>/local/`` and ``apigwc emit --target local SPEC -o
DIR`` writes ``DIR``: ``gateway.json`` (the format is `apigwc.bundle`'s, described in
docs/local-bundle.md) and a README.md saying what the folder is.  Every gateway node is
carried as is, so the target reports nothing: what the local gateway cannot run is the
server's to say.
"""

from __future__ import annotations

from .. import bundle
from .. import gateway as gw
from ..diagnostics import Code, Diagnostics
from .base import Artifact, EmitOptions, OutputFormat, serialize

#: the sub-folder of output/<api>/ the bundle is written to
FOLDER = "local"

_README = """\
# {title}: local gateway bundle

This folder is the lowered API Gateway model of the `{title}` REST API, written by
`apigwc build` (or `apigwc emit --target local`) from the OpenAPI file `{spec}`.
`gateway.json` holds it as data (format `{format}`, version {version}); the local gateway
serves it without reading the spec:

    apigwc serve PATH/TO/THIS/FOLDER     # after `apigwc build`: apigwc serve {example}

Handler modules and the paths of `x-apigwc.local` (pythonPath, jwks) resolve against the
spec's folder (`baseDir` in gateway.json, relative to this folder).  Do not edit these
files: rebuild them from the spec.  See docs/local-bundle.md.
"""


class LocalTarget:
    """``apigwc emit --target local``: local/gateway.json and local/README.md."""

    name = "local"
    folder = FOLDER
    codes: tuple[Code, ...] = ()
    #: every node type is encoded by the bundle format
    handlers = bundle.ENCODERS
    unsupported: dict[type, Code] = {}

    def emit(self, gateway: gw.Gateway, options: EmitOptions, diags: Diagnostics) -> Artifact:
        data = bundle.to_data(gateway, base_dir=options.bundle_base_dir)
        title = gateway.rest_api.name if isinstance(gateway.rest_api.name, str) else data["api"]
        readme = _README.format(
            title=title,
            spec=data["gateway"]["source"],
            format=bundle.FORMAT,
            version=bundle.VERSION,
            example=f"output/{gateway.slug}/{FOLDER}",
        )
        return {
            f"{FOLDER}/{bundle.FILE}": serialize(data, OutputFormat.json),
            f"{FOLDER}/README.md": readme,
        }
