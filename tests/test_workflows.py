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
