"""The local gateway: ``apigwc serve`` runs an API on 127.0.0.1 the way API Gateway would.

* `app`: the ASGI application (stage prefix, payload limit, compression, HEAD) around
  `apigwc.runtime.execute`, the same request path ``apigwc invoke`` runs;
* `capabilities`: how far each route is emulated, said at start;
* `server`: loading a spec or a local bundle, the banner, uvicorn, ``--watch``.

The backends (HTTP, Lambda handlers, AWS services) and guards (authorizers, API keys,
throttling) are assembled by `apigwc.local.LocalGateway`.  docs/serve.md
describes what is emulated and what is not.
"""
