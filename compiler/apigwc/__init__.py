"""apigwc: an OpenAPI-to-API-Gateway compiler."""
