"""brat export of many small documents, the first time into a new folder and again onto it: the second
must cost what the first does (it used to check each old file against a list: quadratic).

    .venv/bin/python bench/brat_reexport.py [--documents 20000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from annotator.export import ExportRequest, export
from annotator.model import ImportRecord, Span
from annotator.store import Store
from bench.corpus import articles


def build(db: Path, documents: int) -> None:
    with Store(db) as store:
        store.documents.import_records(
            (
                ImportRecord(text, f"doc{n}", "bench", spans=[Span(0, 5, "PLACE")], layer="gold")
                for n, text in enumerate(articles(documents, chars=300))
            ),
            default_layer="gold",
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "b.db"
        build(db, args.documents)
        out = Path(folder) / "brat"
        with Store(db) as store:
            for attempt in ("first", "again"):
                started = time.perf_counter()
                summary = export(
                    store, ExportRequest(fmt="brat", user="x", layer="gold", which="all", out=out)
                )
                seconds = time.perf_counter() - started
                files = sum(1 for _ in out.iterdir())
                print(f"{attempt}: {summary.documents} documents, {files} files, {seconds:.2f} s")


if __name__ == "__main__":
    main()
