"""``tensionmap users``: the dashboard's users and their roles."""

from __future__ import annotations

import argparse
import sys

from geo.cli._options import (
    Commands,
    Subparsers,
    add_workspace,
    open_workspace,
    register_all,
    subcommands,
)


def cmd_add_user(args: argparse.Namespace) -> int:
    """Add a user, or set a user's role and password (prompted, or from stdin)."""
    import getpass

    from geo._errors import TensionmapError
    from geo.users import add_user

    ws = open_workspace(args, create=False)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise TensionmapError("the two passwords differ.")
    add_user(ws, args.name, args.role, password)
    print(f"user {args.name} ({args.role}) saved")
    return 0


def cmd_remove_user(args: argparse.Namespace) -> int:
    """Remove a user."""
    from geo.users import remove_user

    removed = remove_user(open_workspace(args, create=False), args.name)
    print(f"removed {args.name}" if removed else f"no user {args.name}")
    return 0


def cmd_list_users(args: argparse.Namespace) -> int:
    """List the users and their roles."""
    from geo.users import list_users

    for user in list_users(open_workspace(args, create=False)):
        print(f"{user.name}\t{user.role}")
    return 0


def _add_users(sub: Subparsers) -> None:
    us = sub.add_parser("users", help="dashboard users and their roles")
    add_workspace(us)
    us.set_defaults(func=cmd_list_users, users_command=None)
    what = subcommands(us, "users_command", required=False)
    us_add = what.add_parser("add", help="add a user, or set a user's role and password")
    us_add.add_argument("name")
    us_add.add_argument(
        "--role", required=True, choices=("tactical", "analyst", "prevention", "partner")
    )
    us_add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (default: prompt for it)",
    )
    add_workspace(us_add, nested=True)
    us_add.set_defaults(func=cmd_add_user)
    us_rm = what.add_parser("remove", help="remove a user")
    us_rm.add_argument("name")
    add_workspace(us_rm, nested=True)
    us_rm.set_defaults(func=cmd_remove_user)
    us_ls = what.add_parser("list", help="list users and roles")
    add_workspace(us_ls, nested=True)


COMMANDS: Commands = {"users": _add_users}


def register(subparsers: Subparsers) -> None:
    """Add ``users`` to the commands."""
    register_all(COMMANDS, subparsers)
