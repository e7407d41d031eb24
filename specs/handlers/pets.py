"""Local stand-in for the PetsFunction Lambda (REST API proxy integration, payload 1.0).

`apigwc serve specs/petstore-lambda.yaml` calls handler(event, context) for every request.
"""

import json
import uuid

_PETS = {
    "1": {"id": "1", "name": "Rex", "type": "dog", "price": 249.99},
    "2": {"id": "2", "name": "Tom", "type": "cat", "price": 124.5},
}


def _response(status, body=None):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body) if body is not None else "",
    }


def handler(event, context):
    method = event["httpMethod"]
    pet_id = (event.get("pathParameters") or {}).get("petId")
    if event["resource"] == "/pets" and method == "GET":
        kind = (event.get("queryStringParameters") or {}).get("type")
        return _response(200, [p for p in _PETS.values() if kind in (None, p["type"])])
    if event["resource"] == "/pets" and method == "POST":
        pet = json.loads(event["body"] or "{}")
        pet["id"] = uuid.uuid4().hex[:8]
        _PETS[pet["id"]] = pet
        return _response(201, pet)
    if pet_id not in _PETS:
        return _response(404, {"message": f"no pet {pet_id}"})
    if method == "DELETE":
        del _PETS[pet_id]
        return _response(204)
    return _response(200, _PETS[pet_id])
