"""Generated documentation stays in sync with the code (update with --update-golden).

- docs/rules.md is `apigwc rules --format markdown`;
- the rule table in README.md (between the rules markers) comes from the registry;
- docs/schemas/*.json are the extension schemas shipped in the package.
"""

from __future__ import annotations

import re
from importlib import resources

from apigwc.ruledocs import markdown_table, render_rules
from apigwc.rules import all_codes
from support import ROOT

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def test_rules_md_is_generated(golden):
    golden(ROOT / "docs" / "rules.md", render_rules(all_codes(), "markdown"))


def test_readme_rule_table_is_generated(golden, request):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert START in readme and END in readme, "README.md needs the rules markers"
    table = markdown_table(all_codes())
    updated = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda m: f"{START}\n{table}{END}", readme, flags=re.S)
    golden(ROOT / "README.md", updated)


def test_published_schemas_match_the_shipped_ones(golden):
    shipped = resources.files("apigwc.schemas")
    names = sorted(p.name for p in shipped.iterdir() if p.name.endswith(".json"))
    assert "x-amazon-apigateway-integration.json" in names and "x-apigwc.json" in names
    for name in names:
        golden(ROOT / "docs" / "schemas" / name, shipped.joinpath(name).read_text(encoding="utf-8"))
    published = sorted(p.name for p in (ROOT / "docs" / "schemas").glob("*.json"))
    assert published == names
