"""File exports of the dashboard: the joint-conference agenda as XLSX (``agenda_xlsx``) and
its download route (``routes``)."""
