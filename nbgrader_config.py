# nbgrader configured like this course, for stock `nbgrader` and formgrader run from this folder.
#
#   make nbgrader-course            # nbgrader-course/source/<chapter>/<notebook>.ipynb from solutions/
#   nbgrader generate_assignment ch03
#
# The set-up itself is grader/nbg_config.py, the one our grader uses too: the Chinese stub
# ("# 在这里写你的代码") in notebooks whose metadata says zh (nbgrader's own ClearSolutions keys its
# stub by the kernel's language only, so it would write "# YOUR CODE HERE" into every notebook),
# course id "chainrule", and the per-cell execution limit.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    from grader import nbg_config
except ImportError:  # a checkout where the grader is not installed: use this folder's grader/
    sys.path.append(HERE)
    from grader import nbg_config

c = get_config()  # noqa: F821 - given by traitlets when nbgrader reads this file
nbg_config.apply(c)
c.CourseDirectory.root = os.path.join(HERE, "nbgrader-course")
