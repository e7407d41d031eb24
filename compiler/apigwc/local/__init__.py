"""The local adapters: what answers and guards a request when the gateway runs on this machine.

The request pipeline (`apigwc.runtime`) calls a `Backend` per integration type and runs
`Guard`s for authorization; this package provides the local ones, and
`LocalGateway` (apigwc.local.assembly) assembles them for one API.  ``apigwc serve``
and ``apigwc invoke`` both use it; the pipeline never imports it.

* `http_backend`, `http_transport`: HTTP and HTTP_PROXY integrations through a pooled
  HTTP/1.1 client;
* `lambdas`, `lambda_backend`: Lambda functions as local handlers (AWS_PROXY and Lambda
  custom integrations);
* `aws_services`: other AWS service integrations through boto3 against an endpoint;
* `authorizers`, `jwt`: Lambda (TOKEN/REQUEST) and Cognito authorizers;
* `usage`: API keys, usage plans, throttling and quotas.
"""

from .assembly import LocalGateway

__all__ = ["LocalGateway"]
