"""Compendium: children's services performance analysis for English councils.

Every loader returns the one tidy table described in :mod:`analysis.tidy`; every other
module consumes it.
"""

__version__ = "0.1.0"
