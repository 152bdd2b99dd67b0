"""Placeholder home page until the Overview page lands (issue 3)."""

import dash
from dash import html

dash.register_page(__name__, path="/", name="首页 Home")


def layout(**_kwargs):
    return html.Main([html.H1("信访态势图 Petition Atlas"),
                      html.P("总览页面建设中。Overview page under construction.")])
