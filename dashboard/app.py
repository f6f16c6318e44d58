"""The Dash app shell: navigation from the page registry; pages own their layouts."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import html

from dashboard import data
from geo.config import Workspace
from geo.geography import ATTRIBUTION


def create_app(workspace: Workspace) -> dash.Dash:
    data.configure(workspace)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        title="tensionmap",
        suppress_callback_exceptions=True,
    )
    app.layout = html.Div(
        [
            html.Header(
                [
                    html.H1("tensionmap", style={"margin": "0 1rem 0 0"}),
                    html.Nav(
                        [
                            dash.dcc.Link(
                                page["name"],
                                href=page["relative_path"],
                                style={"marginRight": "1rem"},
                            )
                            for page in dash.page_registry.values()
                        ]
                    ),
                ],
                style={"display": "flex", "alignItems": "center"},
            ),
            dash.page_container,
            html.Footer(html.Small(ATTRIBUTION), style={"marginTop": "2rem", "color": "#555"}),
        ],
        style={"fontFamily": "sans-serif", "margin": "1rem"},
    )
    return app


def serve(workspace: Workspace, *, port: int = 8050, host: str = "127.0.0.1") -> None:
    create_app(workspace).run(host=host, port=port, debug=False)
