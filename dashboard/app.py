"""The Dash app shell: sign-in, navigation to the pages the role may use, the data's date
range and the OGL attribution on every page. Pages own their layouts and callbacks;
:mod:`dashboard.auth` owns sessions and :mod:`dashboard.headers` the HTTP hardening."""

from __future__ import annotations

import threading
from pathlib import Path

import dash
from dash import html

from dashboard import auth, data, headers, validate
from geo.config import Workspace
from geo.geography.areas import ATTRIBUTION


def _shell() -> html.Div:
    role = auth.current_role()
    pages = [p for p in dash.page_registry.values() if role in data.PAGE_ROLES[p.get("key", "")]]
    first, last = data.date_range()
    return html.Div(
        [
            html.Header(
                [
                    html.H1("tensionmap", style={"margin": "0 1rem 0 0", "fontSize": "1.6rem"}),
                    html.Nav(
                        [
                            dash.dcc.Link(
                                page["name"],
                                href=page["relative_path"],
                                id=f"nav-{page['key']}",
                                style={"marginRight": "1rem"},
                            )
                            for page in pages
                        ]
                    ),
                    html.Form(  # a POST with the session's token: no link can sign anyone out
                        [
                            f"{auth.current_user()} ({role}) ",
                            dash.dcc.Input(
                                type="hidden", name="csrf_token", value=auth.logout_token()
                            ),
                            html.Button("sign out", type="submit", id="sign-out"),
                        ],
                        method="post",
                        action=dash.get_relative_path("/logout"),
                        style={"marginLeft": "auto"},
                    ),
                ],
                style={"display": "flex", "alignItems": "center"},
            ),
            dash.page_container,
            html.Footer(
                html.Small(f"Records from {first} to {last}. {ATTRIBUTION}", id="footer"),
                style={"marginTop": "2rem", "color": "#555"},
            ),
        ],
        style={"fontFamily": "sans-serif", "margin": "1rem"},
    )


def create_app(
    workspace: Workspace,
    *,
    session_hours: float | None = None,
    secure_cookies: bool = False,
    url_prefix: str = "",
) -> dash.Dash:
    """The dashboard on ``workspace``.

    ``session_hours`` defaults to the workspace's setting; ``secure_cookies`` marks the
    cookies ``Secure`` and sends HSTS (see :func:`dashboard.auth.cookie_is_secure`).
    """
    data.configure(workspace)
    app = dash.Dash(
        __name__,
        requests_pathname_prefix=f"{url_prefix.rstrip('/')}/",
        routes_pathname_prefix="/",
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        title="tensionmap",
        suppress_callback_exceptions=True,
    )
    # first: unknown paths get 404 before the sign-in check, and the headers go on last
    headers.install(app, tile_url=workspace.config.tile_url, secure=secure_cookies)
    auth.install(app.server, workspace, session_hours=session_hours, secure_cookies=secure_cookies)
    validate.install(app)
    # the audit names the alert a tension-page user selected, from the server's own list
    auth.audit_selected_rows(
        "tension-alerts", lambda f: data.open_alerts(str(f.get("tension-day.date") or "")[:10])
    )

    @app.server.errorhandler(data.ForbiddenError)
    def forbidden(error: data.ForbiddenError):  # a role asking for another role's data
        return str(error), 403

    @app.server.route("/partner-map/<setting>.html")
    def partner_map_page(setting: str):  # the iframe's page: role-checked like a callback
        try:
            return data.partner_map(setting)["html"]
        except KeyError:
            return "no such setting", 404

    app.layout = _shell
    return app


def serve(
    workspace: Workspace,
    *,
    port: int = 8050,
    host: str = "127.0.0.1",
    threads: int = 8,
    secure_cookies: bool = False,
    insecure_cookies: bool = False,
    url_prefix: str = "",
) -> None:
    """Serve with waitress (a production WSGI server), not Dash's debug server.

    Cookies are ``Secure`` unless ``host`` is a loopback address or ``insecure_cookies``
    is set (:func:`dashboard.auth.cookie_is_secure`).
    """
    import waitress

    secure = auth.cookie_is_secure(
        host, secure_cookies=secure_cookies, insecure_cookies=insecure_cookies
    )
    app = create_app(workspace, secure_cookies=secure, url_prefix=url_prefix)
    data.warm()
    threading.Thread(target=data.warm, kwargs={"every_filter": True}, daemon=True).start()
    # ident="": no Server header, which would name the server software to anyone
    waitress.serve(
        app.server, host=host, port=port, threads=threads, url_prefix=url_prefix, ident=""
    )
