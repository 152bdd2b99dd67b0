"""Synthetic demo data (DESIGN §7): matters and submissions as import CSVs.

``flask --app app demo-data`` (``cli/demo.py``) reads the geography from the store, calls
:func:`generate`, writes the two files with :func:`write_demo` and loads them through the
importer. Every person, leader and ID number in the output is synthetic and looks it.
"""

from demodata.generate import Demo, generate, window
from demodata.params import BAD_TOWNSHIPS, GOOD_TOWNSHIPS, DemoParams
from demodata.places import Geography, prepare_geography
from demodata.writer import write_demo

__all__ = [
    "BAD_TOWNSHIPS", "GOOD_TOWNSHIPS", "Demo", "DemoParams", "Geography", "generate",
    "prepare_geography", "window", "write_demo",
]
