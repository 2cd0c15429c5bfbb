"""The course's answer key: installed with the grader only, never where learners run their checks.

``chNN`` holds chapter NN's reference implementations, the typical wrong versions a check compares a
wrong answer with, and the hidden cases. The checks (:mod:`coursekit.checks`) never import it: they
name what they need through :mod:`coursekit.checks.answers`, which calls this package where it is
installed (the grader's judge, a checkout, the tests) and otherwise replays the answers that
``make course`` recorded with it for the visible cases (``tools/record_answers.py``). It ships in
the grader's distribution (``packaging/grader``), not in ``chainrule`` that learners install; the
grader's sandbox never holds it (``grader/boxes.py`` binds only ``grader/inside``), and an import of
``grader`` from a learner's code fails there (:data:`coursekit.rules.KIT_ONLY`).

A function the checks call takes and returns data only (arrays, numbers, strings, and lists, tuples,
dicts of those) and never changes its arguments: that is what recording and replaying need, and
recording refuses anything else.
"""
