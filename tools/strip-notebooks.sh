#!/usr/bin/env bash
# Removes outputs and execution counts from the committed notebooks (notebooks/*.ipynb, or the files given),
# so that the repository holds them as clean text. A test (tests/Notebooks) fails while any notebook has outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v python3 >/dev/null 2>&1; then
  echo "tools/strip-notebooks.sh: python3 is required (e.g. 'apt-get install python3')." >&2
  exit 1
fi
if [ "$#" -eq 0 ]; then set -- notebooks/*.ipynb; fi
python3 - "$@" <<'PY'
import json, os, sys, tempfile
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    changed = False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            cell["outputs"] = []; changed = True
        if cell.get("execution_count") is not None:
            cell["execution_count"] = None; changed = True
    if changed:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(nb, f, indent=1, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, path)
        print(f"stripped {path}")
PY
