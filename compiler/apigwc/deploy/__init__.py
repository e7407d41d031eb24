"""Deploying with API Gateway calls: plan (data), read, diff, execute; and the CloudFormation change-set route (docs/deploy.md)."""
