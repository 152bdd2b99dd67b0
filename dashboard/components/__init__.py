"""Pure builders of page parts: KPI cards, the map, its legend, charts and tables.

They take plain data (dicts, frames) and a language and return Dash components or Plotly
figures, so the briefing can reuse the same figures later. No database access here.
"""
