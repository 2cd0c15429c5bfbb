"""The course kit's public part: what learners and the grader's sandbox may both see.

* :mod:`.data` — the by-value codec: the only form in which a learner's results leave their code
  (numbers, strings, booleans, None, numeric arrays as bytes + dtype + shape, and lists, tuples and
  dicts of those). The in-notebook checks round-trip every result through it, the grader's sandbox
  sends it to the judge, so a check sees the same values in both places.
* :mod:`.specs` — the objects a check hands to a learner's function (a test function, a graph of
  nodes, a recorder, a model) described as data, so that the sandbox rebuilds its own copy and
  the judge keeps its own: nothing the learner's code holds is ever the judge's.
* :mod:`.drivers` — how an exercise's code is driven (called, a ``Value`` class exercised, a model
  run backward) on those inputs, with the outcome as data.
* :mod:`.rules` — what an exercise's code may use (NumPy only for a hand-derived pass).
* :mod:`.manifest` — the course's one description of its exercises (``manifest.json``, written by
  ``make course``): points, checks and their calls, what each exercise's code may use, time class.
* ``chNN`` — a chapter's inputs (specs) and drivers, imported on first use of a ``"chNN.*"`` name.
  Only :mod:`.ch08` imports ``chainrule`` (chapter 8's exercises use the library, and only its
  sandbox has it); every other module here needs NumPy alone.

Nothing here holds an answer: references, hidden cases and expected values stay with the grader.
"""
