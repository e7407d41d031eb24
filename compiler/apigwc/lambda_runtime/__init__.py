"""Lambda functions as Lambda runs them, without containers: worker processes on the Lambda Runtime API.

Self-contained (it imports nothing else of apigwc): `pool` holds the Runtime API
endpoints and the worker processes of each function; `runtimes` knows how each runtime
starts on this machine, or why it cannot; ``bootstraps/`` are the runtime clients apigwc
ships for Python and Node.js; `service` is the event loop the pools run on; `output`
prints what workers write.  The local gateway's adapter, `apigwc.local.functions`,
puts functions from the gateway model on it.  docs/local-lambda.md describes what is
emulated.
"""

from .pool import FunctionPool, Outcome
from .runtimes import FunctionConfig

__all__ = ["FunctionConfig", "FunctionPool", "Outcome"]
