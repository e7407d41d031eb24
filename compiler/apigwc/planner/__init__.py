"""The deploy planner: pure functions from the gateway model to a plan of API calls.

* `calls`: a plan as data (`ApiCall`, `Ref`, `Join`, `Plan`), its text and JSON forms;
* `refs`: gateway values (``${AWS::Region}``, CloudFormation intrinsics) as plan values;
* `desired`: the desired state of an API and the calls that create it from nothing.

Nothing here talks to AWS.  The deploy-plan target (apigwc.targets.deploy) writes a
plan; `apigwc.deploy` reads the live API, diffs it against `desired` and executes the
calls with boto3.
"""
