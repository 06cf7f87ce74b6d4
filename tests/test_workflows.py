"""The course-website workflow: valid for actionlint, and it tests, builds and deploys the book to GitHub Pages."""

from __future__ import annotations

import yaml

from tools.lint_workflows import problems

WORKFLOW = ".github/workflows/pages.yml"


def test_workflows_pass_actionlint(root):
    found = problems(sorted((root / ".github" / "workflows").glob("*.y*ml")))
    assert not found, "\n".join(found)


def test_actionlint_reports_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n",
        encoding="utf-8",
    )
    assert any("no_such_property" in p for p in problems([bad]))


def test_pages_workflow_tests_before_it_deploys(root):
    flow = yaml.safe_load((root / WORKFLOW).read_text(encoding="utf-8"))
    jobs = flow["jobs"]
    build_steps = " ".join(str(s.get("run", "")) + str(s.get("uses", "")) for s in jobs["build-and-test"]["steps"])
    for needed in ("make test", "make offline", "make pdf", "actions/upload-pages-artifact"):
        assert needed in build_steps, f"{WORKFLOW}: build-and-test does not run {needed!r}"
    deploy = jobs["deploy"]
    assert deploy["needs"] == "build-and-test" and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any("actions/deploy-pages" in s.get("uses", "") for s in deploy["steps"])
    assert "pull_request" in deploy["if"], "pull requests must not deploy"


def test_binder_environment_is_the_pinned_lock(root):
    """Binder's launch button builds the book's own environment: Python 3.11, the lock, the widgets package."""
    binder = root / "binder"
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
    lines = [ln.strip() for ln in (binder / "requirements.txt").read_text().splitlines()]
    assert "-r ../requirements.txt" in lines, "binder/requirements.txt must install the pinned lock"
    post = binder / "postBuild"
    assert post.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert "--editable ." in post.read_text(), "binder/postBuild must install the book's widgets package"


def test_lock_is_installed_whole_and_leaves_out_the_iri_grammar(root):
    """`make setup` installs the lock with --no-deps and checks it with `pip check`; the lock leaves out
    rfc3987-syntax (and lark, its parser): jsonschema builds its grammar on import, 1.4 s in every process that reads
    a notebook (see the header of requirements.txt)."""
    setup = (root / "Makefile").read_text(encoding="utf-8").split("$(STAMP):", 1)[1].split("\n\n", 1)[0]
    assert "--no-deps --requirement requirements.txt" in setup and "pip check" in setup, setup
    pins = {
        line.split("==")[0].strip().lower()
        for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert not {"rfc3987-syntax", "lark"} & pins, "requirements.txt pins rfc3987-syntax or lark again"
    assert "wheel" in pins, "the editable install of the widgets package needs wheel in the lock"
