"""The README's SAM section is true: each command it shows runs on a `sam init` project.

The commands are read from README.md itself (the ``sh`` block and the table of the "SAM and
CloudFormation templates" section), so an edit of the README that breaks one fails here.
They run in a copy of the corpus's ``hello-python`` project (what ``sam init`` renders),
named ``sam-app`` as ``sam init`` names it: ``serve`` as a real server on 127.0.0.1,
``deploy`` against moto's server on 127.0.0.1 (``--dry-run``: the change set is made, then
deleted), every other command as a subprocess.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from serve_helpers import serve, service_headers_ok  # noqa: F401 - a fixture

from support import CORPUS, ROOT

SAM = CORPUS / "sam"
pytestmark = pytest.mark.skipif(not SAM.is_dir(), reason="the SAM corpus is not present")


def sam_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## SAM and CloudFormation templates")
    return text[start : text.index("\n## ", start + 1)]


def readme_commands() -> list[str]:
    """Every ``apigwc ...`` command of the section: the ``sh`` block's lines and the table's."""
    section = sam_section()
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the SAM section has no sh block"
    out = []
    for line in block.group(1).splitlines():
        command = re.split(r"\s{2,}#", line)[0].strip()
        if command and not command.startswith("#"):
            out.append(command)
    for row in section.splitlines():
        if row.startswith("|"):
            out += [c for c in re.findall(r"`(apigwc [^`]+)`", row.split("|")[3])]
    return list(dict.fromkeys(out))


@pytest.fixture
def sam_app(tmp_path: Path) -> Path:
    app = tmp_path / "sam-app"
    shutil.copytree(SAM / "hello-python", app)
    for p in [app, *app.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)  # the corpus is read-only
    # what `sam deploy --guided` saves (hello-python has no Parameters: the override is ignored, as SAM does)
    (app / "samconfig.toml").write_text(
        'version = 0.1\n[default.deploy.parameters]\nstack_name = "sam-app"\nparameter_overrides = "Stage=\\"dev\\""\n',
        encoding="utf-8",
    )
    return app


def test_the_section_shows_the_sam_cli_side_by_side() -> None:
    section = sam_section()
    assert "| What you want | SAM CLI | apigwc |" in section
    for sam in ("`sam validate`", "`sam local start-api`", "`sam local invoke`", "`sam deploy`"):
        assert sam in section
    # and says what the local gateway runs for a template, and what it does not
    for part in ("**Runs as deployed:**", "**Reported, not run:**", "**Not read:**"):
        assert part in section


def test_every_command_of_the_sam_section_works_on_a_sam_init_project(sam_app, run_cli, serve, moto_server) -> None:
    commands = readme_commands()
    assert commands[0] == "apigwc lint template.yaml"
    seen = set()
    for command in commands:
        if command.startswith("mkdir -p "):  # a folder the next command writes into
            folder, _, command = command.removeprefix("mkdir -p ").partition(" && ")
            (sam_app / folder).mkdir(parents=True, exist_ok=True)
        if command.startswith("cat template.yaml | "):
            argv = shlex.split(command.partition("| ")[2])
            r = run_cli(*argv[1:], cwd=sam_app, input=(sam_app / "template.yaml").read_text(encoding="utf-8"))
        else:
            argv = shlex.split(command)
            assert argv[0] == "apigwc", command
            if argv[1] == "serve":
                s = serve(*argv[2:], cwd=sam_app)
                r = s.request("GET", "Prod", "/hello")
                assert (r.status_code, r.json()) == (200, {"message": "hello world"}), command
                service_headers_ok(r, content_type="application/json")
                seen.add("serve")
                continue
            if argv[1] == "deploy":
                import urllib.request

                from test_deploy import CREDENTIALS

                urllib.request.urlopen(
                    urllib.request.Request(moto_server.url + "/moto-api/reset", method="POST")
                ).read()
                extra = ("--dry-run", "--endpoint-url", moto_server.url, "--region", "us-east-1")
                r = run_cli(*argv[1:], *extra, cwd=sam_app, env=CREDENTIALS)
                assert r.returncode == 0, (command, r.stderr)
                assert "(create stack apigwc-sam-app)" in r.stdout.splitlines()[0]
                assert r.stdout.splitlines()[-1] == "dry run: the change set was deleted; nothing was changed"
                seen.add("deploy")
                continue
            r = run_cli(*argv[1:], cwd=sam_app)
        assert r.returncode == 0, (command, r.stdout, r.stderr)
        assert "Traceback" not in r.stdout + r.stderr
        seen.add(argv[1])
        if argv[1] == "invoke":
            assert r.stdout.startswith("HTTP/1.1 200 OK\n") and '{"message": "hello world"}' in r.stdout
    assert seen >= {"lint", "serve", "invoke", "emit", "build", "deploy"}
    # what the commands wrote, where the README says
    assert (sam_app / "stack.yaml").is_file()
    assert (sam_app / "api.yaml").read_text(encoding="utf-8").startswith('openapi: "3.0.1"\n')
    assert [p.name for p in (sam_app / "exported").iterdir()] == ["ServerlessRestApi.yaml"]
    assert (sam_app / "output/apigwc-sam-app/template.yaml").is_file()
    assert (sam_app / "output/ServerlessRestApi").is_dir()


@pytest.fixture(scope="module")
def moto_server():
    from test_deploy import MotoServer

    server = MotoServer()
    server.start()
    yield server
    server.stop()
