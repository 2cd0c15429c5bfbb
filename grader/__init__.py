"""The course's grading harness: builds an nbgrader course from ``solutions/``, autogrades each
submitted notebook in a child process, and writes ``grades.csv`` and per-student feedback pages."""
