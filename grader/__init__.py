"""The course's grading harness: builds an nbgrader course from ``solutions/``, autogrades each
submitted notebook in a child process, and writes ``grades.csv`` and per-student feedback pages."""

# compared between the client and every Dask worker before a batch starts (grader.executors)
__version__ = "0.2.0"
