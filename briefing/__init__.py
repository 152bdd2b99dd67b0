"""The monthly briefing (月度简报, issue 7): a PDF, DOCX or XLSX document per month and
jurisdiction, built from the same ``queries/`` functions as the dashboard.

Two stages, one way: :mod:`briefing.collect` gathers a :class:`briefing.model.BriefingData`
from ``queries/`` (no SQL here), :mod:`briefing.document` turns it into a format-neutral
document (sections, typed tables, figures), and one renderer per format writes it
(:mod:`briefing.pdf`, :mod:`briefing.docx`, :mod:`briefing.xlsx`). :mod:`briefing.service` is
what the ``briefing`` command and the Briefing page call.
"""
