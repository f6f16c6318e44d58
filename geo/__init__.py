"""tensionmap: hate crime hot spots and community tension for police forces and CSPs.

The library is organised by the question a user asks; see ``docs/ARCHITECTURE.md``.
"""
