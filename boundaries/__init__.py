"""Boundary-set definitions shipped as package data (see README.md beside this file)."""
