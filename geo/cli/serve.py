"""``tensionmap serve``: serve the dashboard (waitress; sign-in required)."""

from __future__ import annotations

import argparse

from geo.cli._options import Commands, Subparsers, add_workspace, open_workspace, register_all


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the workspace's dashboard until interrupted."""
    from dashboard.app import serve
    from dashboard.auth import cookie_is_secure

    secure = cookie_is_secure(
        args.host, secure_cookies=args.secure_cookies, insecure_cookies=args.insecure_cookies
    )
    cookies = "Secure cookies: serve it through HTTPS" if secure else "cookies not Secure"
    print(
        f"tensionmap dashboard on http://{args.host}:{args.port}{args.url_prefix}/ "
        f"(waitress; {cookies})"
    )
    serve(
        open_workspace(args, create=False),
        port=args.port,
        host=args.host,
        threads=args.threads,
        secure_cookies=args.secure_cookies,
        insecure_cookies=args.insecure_cookies,
        url_prefix=args.url_prefix,
    )
    return 0


def _add_serve(sub: Subparsers) -> None:
    serve = sub.add_parser(
        "serve", help="serve the dashboard (waitress WSGI server; sign-in required)"
    )
    add_workspace(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8050, help="port (default 8050)")
    serve.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    cookies = serve.add_mutually_exclusive_group()
    cookies.add_argument(
        "--secure-cookies",
        action="store_true",
        help="mark cookies Secure on a loopback --host too (behind an HTTPS reverse proxy on "
        "this machine); they are Secure by default on any other --host",
    )
    cookies.add_argument(
        "--insecure-cookies",
        action="store_true",
        help="do not mark cookies Secure on a non-loopback --host (plain HTTP: test networks only)",
    )
    serve.add_argument(
        "--url-prefix", default="", help="path the reverse proxy serves it under, e.g. /tension"
    )
    serve.set_defaults(func=cmd_serve)


COMMANDS: Commands = {"serve": _add_serve}


def register(subparsers: Subparsers) -> None:
    """Add ``serve`` to the commands."""
    register_all(COMMANDS, subparsers)
