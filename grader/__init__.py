"""The course's grading harness (``chainrule-grade``, or ``python -m grader`` in a checkout): reads the
course's release installed with the course kit, grades each submitted notebook in a sandbox, and
writes ``grades.csv``, the nbgrader gradebook and per-student feedback pages."""

# compared between the client and every Dask worker before a batch starts (grader.executors)
__version__ = "0.2.0"
