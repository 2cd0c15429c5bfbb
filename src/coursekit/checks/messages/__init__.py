"""Every sentence a check or the environment check can say, once per language.

One module per chapter (and ``common`` for what every check shares), each with a table per
language, ``EN`` and ``ZH``; this package merges them into ``MESSAGES``.

``MESSAGES[lang][key]`` is a ``str.format`` template. Both tables have exactly the
same keys and the same ``{fields}`` (``tests/checks/test_checks_core.py`` checks it),
so a check only ever names a key and never writes prose itself.

Keys:
  pass, pass_hidden, fail_header, detail_*, what_*, hint      the frame of a check's report
  <mistake id>                                                a hint for one diagnosed mistake
  env_*                                                       the first-cell environment check
  nbcheck_*                                                   coursekit.check(): a notebook's expected score
"""

from . import ch00, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, common

_PARTS = (common, ch00, ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08)


def _merge(lang: str) -> dict:
    table: dict = {}
    for part in _PARTS:
        dup = table.keys() & getattr(part, lang).keys()
        if dup:
            raise KeyError(f"message keys defined twice: {sorted(dup)}")
        table.update(getattr(part, lang))
    return table


MESSAGES = {"en": _merge("EN"), "zh": _merge("ZH")}
