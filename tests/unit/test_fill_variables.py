"""`intrinsics.fill_variables`: the one substitution of ``${stageVariables.x}`` and ``${AWS::...}``."""

from __future__ import annotations

from apigwc.intrinsics import Filled, fill_variables

AWS = {"${AWS::Region}": "us-east-1", "${AWS::AccountId}": "123456789012"}


def test_a_missing_stage_variable_is_empty_text_and_named():
    assert fill_variables("https://${stageVariables.host}/${stageVariables.nope}/x", {"host": "h"}) == Filled(
        "https://h//x", ("nope",)
    )


def test_aws_variables_are_filled_first_and_unknown_ones_stay():
    text = "arn:aws:apigateway:${AWS::Region}:lambda:path/${AWS::URLSuffix}/${stageVariables.fn}"
    assert fill_variables(text, {"fn": "${AWS::AccountId}"}, AWS) == Filled(
        "arn:aws:apigateway:us-east-1:lambda:path/${AWS::URLSuffix}/${AWS::AccountId}"
    )


def test_without_stage_variables_they_stay_as_written():
    assert fill_variables("${AWS::Region}/${stageVariables.a}", aws=AWS) == Filled("us-east-1/${stageVariables.a}")
    assert fill_variables("${AWS::Region}/${stageVariables.a}") == Filled("${AWS::Region}/${stageVariables.a}")


def test_sub_parts_cut_fn_sub_text_at_its_variables():
    """`intrinsics.sub_parts`, which the template resolver and the deploy planner both read
    ``Fn::Sub`` with: ``${!x}`` is literal text, everything else a variable name."""
    from apigwc.intrinsics import sub_parts

    assert list(sub_parts("arn:${AWS::Partition}:s3:::${Bucket}/${!Literal}/${Fn.Arn}!")) == [
        ("arn:", "AWS::Partition"),
        (":s3:::", "Bucket"),
        ("/${Literal}/", "Fn.Arn"),
        ("!", None),
    ]
    assert list(sub_parts("")) == [("", None)]
    assert list(sub_parts("${!a}${!b}")) == [("${a}${b}", None)]
