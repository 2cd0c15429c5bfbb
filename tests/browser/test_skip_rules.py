"""The browser tests skip for a reason they state: here, the rule for the Chinese ones (no CJK font
for Chromium), checked against a fontconfig that knows no font, as on a machine without one."""
from __future__ import annotations

import os
import shutil

import pytest


def test_without_a_cjk_font_the_zh_tests_skip_saying_what_to_install(tmp_path, cjk_font_rule):
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    empty = tmp_path / "fonts.conf"
    empty.write_text("<?xml version='1.0'?><fontconfig></fontconfig>", encoding="utf-8")
    reason = cjk_font_rule(dict(os.environ, FONTCONFIG_FILE=str(empty)))
    assert reason and "apt-get install fonts-noto-cjk" in reason, reason

