"""What runs INSIDE the sandbox: the student host (:mod:`.host`) and the pipe's framing (:mod:`.wire`).

This package is all of the grader the sandbox sees (bound read-only under another name); it
imports nothing of the grader's outside it, and nothing of the answer key.
"""
