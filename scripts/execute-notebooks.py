"""Executes notebooks with Jupyter's nbclient and the torchlab kernel, each in its own folder (as
JupyterLab runs it), and reports every cell's errors and time as one JSON document on stdout.

Usage: /usr/bin/python3 scripts/execute-notebooks.py [--write] [--kernel NAME] NOTEBOOK.ipynb...

--write saves each executed notebook in place, with its outputs (how the committed outputs are
made); without it the files are left alone. Exits 1 when any cell produced an error output.
"""

import argparse
import json
import os
import sys
import time

import nbclient
import nbformat


def execute(path: str, kernel: str, write: bool) -> dict:
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=600,
        allow_errors=True,
        record_timing=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    t0 = time.monotonic()
    client.execute()
    seconds = time.monotonic() - t0
    cells = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [
            {"ename": o.get("ename", ""), "evalue": o.get("evalue", "")}
            for o in cell.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        timing = cell.get("metadata", {}).get("execution", {})
        cells.append(
            {
                "index": i,
                "id": cell.get("id"),
                "execution_count": cell.get("execution_count"),
                "source": cell.source,
                "errors": errors,
                "output_types": [o.get("output_type") for o in cell.get("outputs", [])],
                "text": "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"),
                "started": timing.get("iopub.execute_input"),
                "finished": timing.get("shell.execute_reply"),
            }
        )
    if write:
        # per-cell timestamps would change on every run; the outputs are what is worth keeping
        for cell in nb.cells:
            cell.get("metadata", {}).pop("execution", None)
        nbformat.write(nb, path)
    return {"path": path, "seconds": round(seconds, 1), "cells": cells}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--kernel", default="torchlab")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    reports = [execute(p, args.kernel, args.write) for p in args.notebooks]
    json.dump(reports, sys.stdout, indent=1)
    sys.stdout.write("\n")
    failed = any(c["errors"] for r in reports for c in r["cells"])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
