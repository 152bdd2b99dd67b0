"""Importers of case files and boundaries into the store (DESIGN §5, §6).

Case files: :func:`ingest.matters.import_file` (``flask --app app import-cases``), built from
reader (encodings, headers, chunks) -> validate (field rules) -> assign (places) -> prepare
(due dates, protected data, row hash) -> load (COPY + set-based upsert).
"""
