"""apigwc: an OpenAPI-to-API-Gateway compiler."""


def package_version() -> str:
    """The installed apigwc version; "0.0.0" when running from a source tree that is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("apigwc")
    except PackageNotFoundError:
        return "0.0.0"
