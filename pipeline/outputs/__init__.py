"""The output side: tables, the comparison, files, the workbook and the report.

Modules, from the bottom up (each imports only those above it in this list):

* :mod:`.format` — how numbers are written in cells;
* :mod:`.labels` — names of codes and the words people read (vi/en);
* :mod:`.tables` — column constants, file names, the record tables;
* :mod:`.baselines` — the built-in national programmes (``rules/baselines/``);
* :mod:`.compare` — the comparison table and the differences;
* :mod:`.frames` — ``to_frames``: the record tables and the comparison;
* :mod:`.files` — bytes of ``documents.jsonl``, CSV, JSON, Parquet;
* :mod:`.records` — records back from JSON (``from_json``, ``read_documents_jsonl``);
* :mod:`.atomic` — atomic writes and stale temporary files;
* :mod:`.xlsx_view`, :mod:`.xlsx` — what the workbook shows, and writing it;
* :mod:`.annotate` — marking evidence and values in a text;
* :mod:`.report` — the HTML report (Jinja2 template, CSS and JS files);
* :mod:`.write` — the only module that imports the writers and the report:
  ``write_outputs`` and ``write_comparison``.

This package imports nothing itself, so ``import pipeline.outputs.format``
stays light.
"""
