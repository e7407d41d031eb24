"""HTTP and HTTP_PROXY integrations: the integration request sent to a real HTTP endpoint through httpx.

`HttpBackend` calls ``request.url`` with the integration's verb, the integration request's
headers and body, and answers the endpoint's status, headers and body **as received**:
the body is read raw (a gzip body stays gzip, with its ``Content-Encoding``), redirects
are returned, not followed.  docs/local-usage-http.md lists the choices; in short:

* **Request headers** [Doc: "Amazon API Gateway important notes", header table]: ``Host``
  becomes the endpoint's, ``Content-Length`` is computed from the body; ``Connection``,
  ``Expect``, ``Max-Forwards``, ``Proxy-Authenticate``, ``TE``, ``Trailer``,
  ``Transfer-Encoding``, ``Upgrade``, ``Via``, ``Content-MD5``, ``Server`` are dropped, as
  is an ``Authorization`` that carries a SigV4 signature.  A request without
  ``User-Agent`` is sent with ``AmazonAPIGateway_<apiId>`` [Obs]; httpx's own default
  ``Accept``/``Accept-Encoding`` are not added.
* **HTTP_PROXY response headers** [Doc]: ``Authorization``, ``Connection``, ``Content-MD5``,
  ``Date``, ``Max-Forwards``, ``Server``, ``User-Agent`` and ``WWW-Authenticate`` become
  ``x-amzn-Remapped-<name>``; ``Expect``, ``Host``, ``Proxy-Authenticate``, ``TE``,
  ``Trailer``, ``Transfer-Encoding``, ``Upgrade`` and ``Via`` are dropped;
  ``Content-Length`` is the local server's.  HTTP (non-proxy) responses keep their headers
  (minus hop-by-hop ones) for ``integration.response.header.*`` mappings.
* **Failures**: the integration timeout -> 504 INTEGRATION_TIMEOUT; a URL that is not
  absolute http(s), or a host that does not resolve -> 500 API_CONFIGURATION_ERROR
  (``Invalid endpoint address`` [Obs]); a TLS failure -> 500 (``General SSLEngine
  problem`` [Obs]); a refused or broken connection -> 504 INTEGRATION_FAILURE [Inf].
* ``connectionType: VPC_LINK`` calls the URI directly (the VPC link is not emulated, and
  the log says so); ``tlsConfig.insecureSkipVerification`` is honoured.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import time
from typing import TYPE_CHECKING

import httpx

from .. import gateway as gw
from ..runtime.backends import timeout_error
from ..runtime.endpoint import EndpointRequest, EndpointResponse
from ..runtime.errors import GatewayError, ResponseType
from ..runtime.http import HOP_BY_HOP, Headers
from ..runtime.log import Step
from .http_transport import PooledTransport

if TYPE_CHECKING:
    from ..runtime.exchange import Exchange

#: Request headers API Gateway does not forward [Doc: header table; Host and Content-Length are the client's own].
DROPPED_REQUEST = frozenset(
    (
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "proxy-connection",
        "expect",
        "max-forwards",
        "proxy-authenticate",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
        "content-md5",
        "server",
    )
)
#: HTTP_PROXY response headers renamed to ``x-amzn-Remapped-<name>`` [Doc].
REMAPPED_RESPONSE = frozenset(
    ("authorization", "connection", "content-md5", "date", "max-forwards", "server", "user-agent", "www-authenticate")
)
#: HTTP_PROXY response headers dropped [Doc]; Content-Length is the local server's.
DROPPED_RESPONSE = frozenset(
    (
        "expect",
        "host",
        "proxy-authenticate",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
        "keep-alive",
        "content-length",
    )
)
REMAPPED_PREFIX = "x-amzn-Remapped-"
SIGV4 = "AWS4-HMAC-SHA256"
INVALID_ENDPOINT = "Execution failed due to configuration error: Invalid endpoint address"
TLS_FAILURE = "Execution failed due to configuration error: General SSLEngine problem"


def forward_headers(headers: Headers) -> list[tuple[str, str]]:
    """The integration request headers that reach the endpoint (see the module docstring)."""
    out = []
    for name, value in headers:
        lower = name.lower()
        if lower in DROPPED_REQUEST:
            continue
        if lower == "authorization" and value.lstrip().startswith(SIGV4):
            continue  # a SigV4 Authorization header is dropped [Doc]
        out.append((name, value))
    return out


def proxy_response_headers(raw: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """HTTP_PROXY response headers after API Gateway's remapping [Doc]."""
    out = []
    for name, value in raw:
        lower = name.lower()
        if lower in DROPPED_RESPONSE:
            continue
        out.append((REMAPPED_PREFIX + name if lower in REMAPPED_RESPONSE else name, value))
    return out


def _is_http_url(url: str | None) -> bool:
    if not url:
        return False
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        if isinstance(node, kind):
            return True
        seen.add(id(node))
        node = node.__cause__ or node.__context__
    return False


def _insecure_context() -> ssl.SSLContext:
    """tlsConfig.insecureSkipVerification: TLS without checking the certificate or the host name."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _trusted() -> ssl.SSLContext:
    """What verifies upstream certificates: the system's CAs, or SSL_CERT_FILE / SSL_CERT_DIR when set.

    The client ignores the rest of the environment (HTTP_PROXY...), but these two let a
    local upstream with its own certificate authority be trusted.
    """
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile or None, capath=capath or None)
    return ssl.create_default_context()


class HttpBackend:
    """The backend of HTTP and HTTP_PROXY integrations (one per server; share it between deployments).

    ``client``: an ``httpx.AsyncClient`` to use (tests pass one that trusts their
    certificate); without one the backend makes its own per event loop and closes it in
    `aclose`.  A given client is never closed here.
    """

    __slots__ = ("_client", "_own", "_insecure")

    def __init__(self, *, client: "httpx.AsyncClient | None" = None) -> None:
        self._client = client
        #: clients made here: event loop -> client (verifying TLS)
        self._own: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}
        #: clients made here for tlsConfig.insecureSkipVerification
        self._insecure: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    def _client_for(self, insecure: bool) -> httpx.AsyncClient:
        if self._client is not None and not insecure:
            return self._client
        loop = asyncio.get_running_loop()
        pool = self._insecure if insecure else self._own
        client = pool.get(loop)
        if client is None:
            for old in [lp for lp in pool if lp.is_closed()]:
                del pool[old]  # a finished loop's client cannot be closed any more; drop it
            transport = PooledTransport(ssl_context=_insecure_context() if insecure else _trusted())
            client = pool[loop] = httpx.AsyncClient(
                transport=transport, follow_redirects=False, trust_env=False, timeout=None
            )
        return client

    async def aclose(self) -> None:
        """Close the clients this backend made (those of the running event loop)."""
        loop = asyncio.get_running_loop()
        for pool in (self._own, self._insecure):
            client = pool.pop(loop, None)
            if client is not None:
                await client.aclose()

    async def invoke(self, request: EndpointRequest, ex: "Exchange") -> EndpointResponse | GatewayError:
        integration = request.integration
        url = request.url
        if not _is_http_url(url):
            return GatewayError(
                type=ResponseType.API_CONFIGURATION_ERROR,
                log=f"{INVALID_ENDPOINT}: {url!r} is not an absolute http or https URL",
            )
        if integration.connection_type is gw.ConnectionType.VPC_LINK:
            ex.note(
                Step.ENDPOINT,
                f"VPC link {request.connection_id or '(no connection id)'} is not emulated: calling {url} directly",
            )
        insecure = bool(integration.tls_insecure_skip_verification)
        if insecure:
            ex.note(Step.ENDPOINT, "tlsConfig.insecureSkipVerification: the endpoint's certificate is not verified")
        headers = forward_headers(request.headers)
        sent = {name.lower() for name, _ in headers}
        client = self._client_for(insecure)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(request.timeout_seconds):
                outgoing = client.build_request(
                    request.http_method,
                    url,
                    headers=headers,
                    content=request.body or None,
                    timeout=httpx.Timeout(request.timeout_seconds),
                )
                for default in ("accept", "accept-encoding", "user-agent"):
                    if default not in sent and default in outgoing.headers:
                        del outgoing.headers[default]
                if "user-agent" not in sent:
                    outgoing.headers["User-Agent"] = f"AmazonAPIGateway_{ex.view.api_id}"  # [Obs]
                answer = await client.send(outgoing, stream=True, follow_redirects=False)
                try:
                    body = b"".join([chunk async for chunk in answer.aiter_raw()])  # raw: no Content-Encoding decoding
                finally:
                    await answer.aclose()
        except (TimeoutError, httpx.TimeoutException):
            return timeout_error(request)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            return GatewayError(type=ResponseType.API_CONFIGURATION_ERROR, log=f"{INVALID_ENDPOINT}: {url} ({exc})")
        except httpx.TransportError as exc:
            if _caused_by(exc, socket.gaierror):
                return GatewayError(
                    type=ResponseType.API_CONFIGURATION_ERROR,
                    log=f"{INVALID_ENDPOINT}: the host of {url} does not resolve",
                )
            if _caused_by(exc, ssl.SSLError):
                return GatewayError(type=ResponseType.API_CONFIGURATION_ERROR, log=f"{TLS_FAILURE}: {exc}")
            reason = str(exc) or type(exc).__name__
            return GatewayError(
                type=ResponseType.INTEGRATION_FAILURE,
                log=f"Execution failed due to a network error: {reason} ({request.http_method} {url})",
            )
        latency = (time.perf_counter() - started) * 1000
        raw = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in answer.headers.raw]
        if integration.type is gw.IntegrationType.HTTP_PROXY:
            out = proxy_response_headers(raw)
        else:
            out = [(n, v) for n, v in raw if n.lower() not in HOP_BY_HOP]
        return EndpointResponse(status=answer.status_code, headers=Headers(out), body=body, latency_ms=latency)
