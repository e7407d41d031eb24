"""boto3 clients for a deploy: the standard credential chain, one region, an optional endpoint.

botocore's retries are turned off (``total_max_attempts=1``): `execute.Caller` retries,
paces and reports every call itself.
"""

from __future__ import annotations

from typing import Any

from .executor import DeployError


def client_config() -> Any:
    from botocore.config import Config

    return Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60)


class AwsClients:
    """Creates (and caches) one boto3 client per service and region."""

    def __init__(self, region: str | None = None, endpoint_url: str | None = None, profile: str | None = None) -> None:
        import boto3

        try:
            self.session = boto3.Session(profile_name=profile) if profile else boto3.Session()
        except Exception as exc:  # botocore.exceptions.ProfileNotFound and friends
            raise DeployError(f"cannot open the AWS profile: {exc}") from None
        region = region or self.session.region_name
        if not region:
            raise DeployError("no AWS region: pass --region or set AWS_REGION / AWS_DEFAULT_REGION")
        if self.session.get_credentials() is None:
            raise DeployError(
                "no AWS credentials found in the standard chain (environment, ~/.aws/credentials, SSO, instance role)"
            )
        self.region = region
        self.endpoint_url = endpoint_url
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service, region_name=key[1], endpoint_url=self.endpoint_url, config=client_config()
            )
        return self._clients[key]
