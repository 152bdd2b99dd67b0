"""总览 Overview (``/``): KPI cards with the change against the previous period, the map,
the trend, category, stage, backlog, unit and repeat charts, and the area and matter tables.

Selecting a unit (map, breadcrumb, table) narrows every card and chart; a click on a category
or a channel in a chart filters the map. The URL holds the view (see ``dashboard.state``).
"""

from __future__ import annotations

import dash

from dashboard import workspace
from dashboard.i18n import t

PREFIX = "ov"

dash.register_page(__name__, path="/", name="总览 Overview", order=0,
                   title=f"{t('page.overview', 'zh')} · {t('app.title', 'zh')}")


def layout(**query):
    return workspace.page_layout(PREFIX, "overview", query)


workspace.register(PREFIX, "overview")
