"""The MOCK integration's status rules, HTTP message parsing, and the content helpers."""

from __future__ import annotations

import pytest

from apigwc.ir import ContentHandling
from apigwc.runtime import Headers, Request
from apigwc.runtime.content import Conversion, decode, is_binary, request_conversion, response_conversion
from apigwc.runtime.http import first_accept, media_type, parse_query, path_segments, reason_phrase
from apigwc.runtime.mock import UNPARSEABLE, mock_status
from runtime_helpers import api, call, messages  # noqa: F401 - api is a fixture


@pytest.mark.parametrize(
    "body, status",
    [
        (b'{"statusCode": 200}', 200),
        (b'\n  {"statusCode": 503}\n', 503),
        (b'{"statusCode": "404"}', 404),
        (b"", 200),  # no template and no payload
        (b"   \n", 200),
        (b'{"other": 1}', 200),  # an object without statusCode
        (b'{"statusCode": "abc"}', None),
        (b'{"statusCode": 2.5}', None),
        (b'{"statusCode": 99}', None),
        (b'{"statusCode": true}', None),
        (b"[200]", None),
        (b"statusCode=200", None),
    ],
)
def test_mock_status(body: bytes, status: int | None) -> None:
    assert mock_status(body) == status


def test_mock_without_a_parseable_status_is_a_500(api) -> None:
    deployment = api(
        """
paths:
  /m:
    get:
      responses: {'200': {description: ok}}
      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: 'statusCode: 200'}, responses: {default: {statusCode: '200'}}}
"""
    )
    result = call(deployment, "GET", "/m")
    assert (result.response.status, result.response.text) == (500, '{"message":"Internal server error"}')
    assert messages(result, "endpoint") == [UNPARSEABLE]


def test_parse_query() -> None:
    assert parse_query("a=1&b=x+y&a=2;c=%2F&flag&=skip&e=") == (
        ("a", "1"),
        ("b", "x y"),
        ("a", "2"),
        ("c", "/"),
        ("flag", ""),
        ("e", ""),
    )
    assert parse_query("") == ()


def test_request_build() -> None:
    request = Request.build("post", "/a%20b/c?x=1&x=2", [("Host", "h"), ("host", "h2")], b"{}")
    assert (request.method, request.path, request.query, request.body) == (
        "POST",
        "/a%20b/c",
        (("x", "1"), ("x", "2")),
        b"{}",
    )
    assert request.query_values("x") == ("1", "2") and request.query_values("X") == ()
    assert request.headers.get("HOST") == "h2" and request.headers.get_all("Host") == ("h", "h2")
    assert request.headers.grouped() == {"Host": ("h", "h2")}
    assert path_segments(request.path) == ("a b", "c")


def test_headers_value_semantics() -> None:
    h = Headers([("A", "1"), ("b", "2")])
    assert h == Headers([("A", "1"), ("b", "2")]) and h != Headers([("a", "1"), ("b", "2")])
    assert ("a" in h, "c" in h, len(h), h.get("c", "d")) == (True, False, 2, "d")


def test_media_types() -> None:
    assert media_type("Application/JSON; charset=UTF-8") == "application/json"
    assert media_type(" ") is None and media_type(None) is None
    assert first_accept("text/html, application/json;q=0.9") == "text/html"
    assert (reason_phrase(404), reason_phrase(299)) == ("Not Found", "")


def test_binary_media_types_and_conversions() -> None:
    types = ["image/*", "application/octet-stream"]
    assert [is_binary(m, types) for m in ("image/png", "application/octet-stream", "application/json", None)] == [
        True,
        True,
        False,
        False,
    ]
    assert is_binary("text/plain", ["*/*"])
    assert request_conversion(True, ContentHandling.CONVERT_TO_TEXT) == Conversion(encode_first=True)
    assert request_conversion(False, ContentHandling.CONVERT_TO_BINARY) == Conversion(decode_last=True)
    assert request_conversion(True, None) == Conversion()
    # responses without contentHandling follow the first Accept type
    assert response_conversion(True, False, None) == Conversion(encode_first=True)
    assert response_conversion(False, True, None) == Conversion(decode_last=True)
    assert response_conversion(True, True, ContentHandling.CONVERT_TO_TEXT) == Conversion(encode_first=True)
    assert (decode(b"aGk=\n"), decode(b"!!")) == (b"hi", None)
