"""Lambda functions as Lambda runs them, without containers: worker processes on the Lambda Runtime API.

A local adapter of the gateway (like ``runtime.http_backend``), apart from the request
pipeline: `Functions` is what Lambda integrations and authorizers invoke; `pool` holds
the Runtime API endpoints and the worker processes; `runtimes` knows how each runtime
starts on this machine; ``bootstraps/`` are the runtime clients apigwc ships for Python
and Node.js.  docs/local-lambda.md describes what is emulated.
"""

from .functions import DEFAULT_MAX_WORKERS, Functions
from .runtimes import FunctionConfig

__all__ = ["DEFAULT_MAX_WORKERS", "FunctionConfig", "Functions"]
