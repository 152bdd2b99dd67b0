"""地图 Map (``/map``): choropleth by county, township or village for a chosen measure,
project zones with their counts, clustered matter points (no personal data) and the
Getis-Ord Gi* hotspot layer; drill-down county → township → village → matter list with a
breadcrumb; the URL holds the view (see ``dashboard.state``).
"""

from __future__ import annotations

import dash

from dashboard import workspace
from dashboard.i18n import t

PREFIX = "mp"

dash.register_page(__name__, path="/map", name="地图 Map", order=1,
                   title=f"{t('page.map', 'zh')} · {t('app.title', 'zh')}")


def layout(**query):
    return workspace.page_layout(PREFIX, "map", query)


workspace.register(PREFIX, "map")
