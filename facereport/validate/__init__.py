"""Validate ``data/``: the Data Package, every table against its Table Schema, the source registry,
and what a schema cannot say (sources exist, dates are real and not in the future, ISO codes exist
as their standard writes them, numbers are plain numbers, rows agree with the rows they refer to).

Every problem is one line that names the file, the line and the column, so that a person can go
straight to it, and the first line printed names the cell to change:

    data/opinion_surveys.csv:13: column 'sample_size': expected a whole number in digits, such as 2033, found '２０３３'; write it in half-width digits: 2033

Run it alone with ``make validate`` (``python -m facereport.validate``, exit 2 on bad data); ``make
book`` runs it first and stops there if anything is wrong. The parts, each readable alone:

    problems.py    a problem, the lines printed, the loader's DataError
    read.py        reading a table: encoding, quotes, the header
    values.py      numbers and booleans: the one reading of a typed cell (the loader's too)
    cells.py       one cell against its field: types, named checks (dates, ISO codes), constraints
    rows.py        rules across the cells of a row and the rows of a table
    tables.py      rules across tables: foreign keys, rows that must agree with other rows
    registry.py    the source registry, data/sources.bib
    descriptor.py  data/datapackage.json, and that its schemas ask only what is checked
    package.py     all of it, in order
"""
from .cells import CHECKS, Context, describe_pattern, field_checks, parse_partial_date
from .descriptor import registry_path, tables
from .package import Summary, validate
from .problems import BAD_DATA_EXIT, DataError, Problem, report_lines
from .registry import BIB_REQUIRED

__all__ = ["BAD_DATA_EXIT", "BIB_REQUIRED", "CHECKS", "Context", "DataError", "Problem", "Summary",
           "describe_pattern", "field_checks", "parse_partial_date", "registry_path", "report_lines",
           "tables", "validate"]
