"""The answer key: what only the checks (in a notebook) and the grader's judge use.

``chNN`` holds chapter NN's reference implementations, the typical wrong versions a check compares
a wrong answer with, and the hidden cases; :mod:`coursekit.checks` computes its expected values
with them. The grader's sandbox never contains this folder (nor :mod:`coursekit.checks`): a
learner's code that imports it while being graded fails (``grader/boxes.py``). A learner's own
install does contain it, since the in-notebook checks need it: it is not a secret from a learner
who reads the installed package, only from graded code.
"""
