"""Execute the chapters whose code or inputs changed and store their outputs in place, deterministically.

Each executed notebook records in its metadata (`ceasefire.inputs`) the sha256 of its code and of every repository
file it read (data files, widgets modules, requirements.txt). A notebook is re-executed only when one of those
changed, so a data edit re-executes exactly the chapters that read that file. Chapters run in parallel.

    python -m tools.execute [--force | --check] [--jobs N] [notebook ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALWAYS = ("requirements.txt",)
PROBE = "import json as _j, widgets._deps as _d; print(_j.dumps(_d.recorded()))"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source(cell) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def code_hash(nb) -> str:
    code = [_source(c) for c in nb["cells"] if c["cell_type"] == "code"]
    return _sha(json.dumps([nb["metadata"].get("kernelspec", {}).get("name"), code]).encode())


def file_hash(rel: str) -> str:
    """sha256 of a repository file, or of one part of a JSON file (`data/datapackage.json#casualties`: that
    resource's descriptor, or else that top-level key), so a chapter depends only on the schema it read."""
    path, _, part = rel.partition("#")
    p = ROOT / path
    if not p.is_file():
        return "missing"
    if not part:
        return _sha(p.read_bytes())
    doc = json.loads(p.read_text(encoding="utf-8"))
    piece = next((r for r in doc.get("resources", []) if r.get("name") == part), doc.get(part, "missing"))
    return _sha(json.dumps(piece, sort_keys=True).encode())


def stale_reason(path: Path) -> str | None:
    """Why `path` must be re-executed, or None when its stored outputs are current."""
    # Plain JSON, not nbformat: importing nbformat (jsonschema) costs seconds, and a no-op build must be instant.
    nb = json.loads(path.read_text(encoding="utf-8"))
    inputs = nb["metadata"].get("ceasefire", {}).get("inputs")
    if not inputs:
        return "never executed by tools.execute"
    if inputs.get("#code") != code_hash(nb):
        return "its code changed"
    for rel, digest in sorted(inputs.items()):
        if rel != "#code" and file_hash(rel) != digest:
            return f"{rel} changed"
    return None


def _stable_widget_ids(nb) -> None:
    """Replace the random widget model ids in outputs by numbered ones, so re-execution gives identical bytes."""
    mapping: dict[str, str] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            view = out.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view and "model_id" in view:
                old = view["model_id"]
                view["model_id"] = mapping.setdefault(old, f"widget-{len(mapping) + 1:04d}")


def execute(path_str: str) -> tuple[str, str | None]:
    """Run one notebook top to bottom; return (path, error message or None). Writes only on success."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path_str)
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        cell.setdefault("id", f"cell-{i:03d}")
    from jupyter_client.manager import KernelManager

    # The kernel talks to this process over local IPC sockets in a private temporary folder, not TCP on localhost:
    # nothing listens on the network, and ipykernel no longer warns (once per kernel) that it runs "over TCP without
    # encryption".
    sockets = tempfile.mkdtemp(prefix="cf-kernel-")
    km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"))
    client = NotebookClient(
        nb,
        km=km,
        timeout=600,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=False,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(path.parent)}},
    )
    rel = path.relative_to(ROOT).as_posix()
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as exc:
                    first = next((l for l in cell.source.splitlines() if l.strip()), "")
                    return rel, (
                        f"{rel}: cell {index + 1} of {len(nb.cells)} (id {cell.get('id')!r}, "
                        f"starting {first[:60]!r}) failed:\n{_tail(str(exc))}"
                    )
            probe = nbformat.v4.new_code_cell(PROBE)
            nb.cells.append(probe)
            try:
                client.execute_cell(probe, len(nb.cells) - 1)
            finally:
                nb.cells.pop()
    except Exception as exc:  # kernel died, timeout, ...
        return rel, f"{rel}: could not be executed: {type(exc).__name__}: {exc}"
    finally:
        # nbclient shuts down only the kernels it created itself; this one was passed in (for IPC), so end it here
        # (left running, each kernel later logs "Parent appears to have exited").
        if km.has_kernel:
            km.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)
    read = json.loads("".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout"))
    files = sorted(set(read) | set(ALWAYS) - {rel})
    nb.metadata["ceasefire"] = {"inputs": {"#code": code_hash(nb), **{f: file_hash(f) for f in files}}}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata.pop("execution", None)
    _stable_widget_ids(nb)
    text = nbformat.writes(nb) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return rel, None


def _tail(text: str, lines: int = 25) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    return "\n".join("    " + l for l in text.strip().splitlines()[-lines:])


def notebooks() -> list[Path]:
    return sorted((ROOT / "chapters").glob("*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--force", action="store_true", help="execute even when nothing changed")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument(
        "--check", action="store_true", help="execute nothing; fail if a notebook's stored outputs are out of date"
    )
    args = ap.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or notebooks()
    todo = []
    for p in paths:
        reason = "forced" if args.force else stale_reason(p)
        if reason:
            print(f"execute {p.relative_to(ROOT)}: {reason}", flush=True)
            todo.append(str(p))
    if args.check and todo:
        print(
            f"error: {len(todo)} notebook(s) have stored outputs older than their code or inputs: run "
            "`make book` and commit the updated notebooks",
            file=sys.stderr,
        )
        return 1
    if not todo:
        print(f"execute: all {len(paths)} notebooks are up to date")
        return 0
    # Largest first (a notebook's size on disk follows its outputs, hence its run time): no long chapter starts last
    # while the other processes have nothing left to do.
    todo.sort(key=lambda p: -Path(p).stat().st_size)
    with ProcessPoolExecutor(max_workers=max(1, min(args.jobs, len(todo)))) as pool:
        errors = [err for _, err in pool.map(execute, todo) if err]
    for err in errors:
        print(f"error: {err}", file=sys.stderr)
    if errors:
        print(
            f"execute: {len(errors)} of {len(todo)} notebooks failed; their stored outputs were left unchanged",
            file=sys.stderr,
        )
        return 1
    print(f"execute: {len(todo)} notebooks executed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
