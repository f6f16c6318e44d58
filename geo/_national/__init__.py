"""National geography tables shipped as package data (see PROVENANCE.md beside this file)."""
