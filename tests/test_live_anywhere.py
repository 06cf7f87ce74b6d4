"""Issue 13, "Live anywhere": a chapter runs on any Jupyter (hub, Colab) with the pinned packages and nothing else.

The kernel tests use a "hub Python": a fresh virtualenv whose only packages are the lock's (the shared .venv's
site-packages on sys.path as a plain path, so its .pth files, among them the editable install of `widgets`, are not
processed). It sees pandas, folium, ipykernel... but cannot `import widgets` unless a chapter's first cell finds the
book.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _first_cell(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["cells"][0]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def test_first_cell_is_the_same_hidden_finder_in_every_chapter():
    cells = [_first_cell(p) for p in CHAPTERS]
    assert all(c["cell_type"] == "code" and c["id"] == "find-book" for c in cells)
    assert all(c["metadata"].get("tags") == ["remove-cell"] for c in cells), "the site must hide it"
    assert all(not c["outputs"] for c in cells), "it prints nothing where the book is present"
    assert len({_source(c) for c in cells}) == 1, "the same cell in every chapter"
    assert len(_source(cells[0]).splitlines()) <= 20


def test_first_cell_fetches_the_configured_repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    source = _source(_first_cell(CHAPTERS[0]))
    assert f'"{config["url"]}"' in source
    assert f'"CEASEFIRE_BOOK_REV", "{config["branch"]}"' in source
    assert '"requirements-direct.txt"' in source or "requirements-direct.txt" in source


def test_direct_requirements_are_the_pinned_direct_dependencies():
    """What the first cell installs on Colab: the package's direct needs, each pinned exactly as in the lock."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            pins[line.split("==")[0].lower().replace("_", "-")] = line.strip()
    direct = [
        line.strip()
        for line in (ROOT / "requirements-direct.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    names = [line.split("==")[0].lower() for line in direct]
    assert all(pins[n] == line for n, line in zip(names, direct, strict=True))
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert sorted(names) == sorted(d.lower() for d in declared)


def test_missing_data_package_is_one_clear_error(tmp_path, monkeypatch):
    from widgets import _deps, data

    monkeypatch.chdir(tmp_path)
    assert _deps.find_root() is None
    with pytest.raises(_deps.BookNotFound, match=r"No data/datapackage.json in .* Start Jupyter inside"):
        data.load()


def test_data_root_is_found_from_the_working_directory(tmp_path, monkeypatch):
    from widgets import _deps

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "datapackage.json").write_text("{}")
    (tmp_path / "chapters").mkdir()
    monkeypatch.chdir(tmp_path / "chapters")
    assert _deps.book_root() == tmp_path.resolve()


# --- a hub's Python: the lock's packages, no editable install ---------------------------------------------------


@pytest.fixture(scope="module")
def hub_python(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("hub") / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", venv], check=True)
    site = next(venv.glob("lib/python3*/site-packages"))
    # A plain path line: the directory joins sys.path, but its .pth files (the editable finder) are not run.
    (site / "lock.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = venv / "bin" / "python"
    probe = subprocess.run(
        [python, "-c", "import pandas, folium, nbclient\ntry:\n import widgets\nexcept ImportError: print('ok')"],
        cwd=tmp_path_factory.mktemp("elsewhere"),
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "ok", "the hub Python must not see the editable install"
    return python


@pytest.fixture(scope="module")
def book_copy(tmp_path_factory) -> Path:
    """The repository's tracked files as they are in the working tree (a clone of a course repository)."""
    dest = tmp_path_factory.mktemp("clone") / "book"
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in files.decode().split("\0"):
        if rel and (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    return dest


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    env["PYTHONNOUSERSITE"] = "1"
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return {**env, **extra}


RUNNER = textwrap.dedent(
    """
    import json, sys
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(sys.argv[1], as_version=4)
    cells = json.loads(sys.argv[3])
    if cells is not None:
        nb.cells = [c for c in nb.cells if c.get("id") in cells]
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    out = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("name") == "stdout"]
    print(json.dumps({"errors": [e["ename"] + ": " + e["evalue"] for e in errors], "stdout": out}))
    """
)


def run_notebook(python: Path, notebook: Path, cwd: Path, cells: list[str] | None = None, **env: str) -> dict:
    done = subprocess.run(
        [python, "-c", RUNNER, notebook, cwd, json.dumps(cells)],
        cwd=cwd,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.kernel
@pytest.mark.slow
@pytest.mark.parametrize("start", ["chapters", "."])
def test_chapter_runs_on_a_hub_without_the_book_installed(hub_python, book_copy, start):
    """A Python that sees the lock's packages but not the editable install runs chapter 02 from chapters/ or the
    root of a clone (nothing installed but requirements.txt)."""
    result = run_notebook(hub_python, book_copy / "chapters" / "02_russia_peacekeeping.ipynb", book_copy / start)
    assert result["errors"] == []


@pytest.mark.kernel
@pytest.mark.slow
def test_without_the_first_cell_a_hub_cannot_import_widgets(hub_python, book_copy):
    """The check of the issue, kept as the control: the chapter's own cells alone fail on such a hub."""
    nb = book_copy / "chapters" / "02_russia_peacekeeping.ipynb"
    cells = [c["id"] for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]][1:3]
    done = subprocess.run(
        [hub_python, "-c", RUNNER, nb, book_copy / "chapters", json.dumps(cells)],
        cwd=book_copy / "chapters",
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr


@pytest.mark.kernel
@pytest.mark.slow
def test_colab_cell_fetches_the_book_and_the_next_cell_loads_the_data(hub_python, book_copy, tmp_path):
    """Colab: no book around the working directory. The first cell clones the repository (a local bare repository
    stands in for GitHub), installs requirements-direct.txt (pip with no index: the lock's packages are already
    there, so nothing is downloaded), enters the checkout; the chapter's next cell imports `widgets`, loads the data."""
    origin = tmp_path / "origin.git"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q", book_copy], check=True)
    subprocess.run([*git, "-C", book_copy, "add", "-A"], check=True)
    subprocess.run([*git, "-C", book_copy, "commit", "-qm", "snapshot"], check=True)
    subprocess.run([*git, "clone", "-q", "--bare", book_copy, origin], check=True)
    content = tmp_path / "content"  # Colab's working directory, with only the notebook
    content.mkdir()
    nb = json.loads((book_copy / "chapters" / "03_aliyev_resolve.ipynb").read_text(encoding="utf-8"))
    check = (
        "import widgets, widgets.data\n"
        "print(widgets.__file__)\n"
        "print(widgets.data.load().as_of)\n"
        "import os; print(os.getcwd())"
    )
    nb["cells"] = [nb["cells"][0], nb["cells"][2], {**nb["cells"][2], "id": "check", "source": check}]
    (content / "chapter.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    result = run_notebook(
        hub_python,
        content / "chapter.ipynb",
        content,
        CEASEFIRE_BOOK_URL=str(origin),
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    assert result["errors"] == []
    printed = "".join(result["stdout"]).split()
    checkout = (content / "ceasefire-book").resolve()
    assert Path(printed[0]).is_relative_to(checkout), "widgets comes from the fetched checkout"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", printed[1])
    assert Path(printed[2]) == checkout
    assert (checkout / "data" / "datapackage.json").is_file()
