#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Count TAP test cases across meson test logs (and plain TAP files given
with --tap) and print the closing line
"N passed, N failed" (", N skipped" when any were skipped).

A test program that died before reporting (crash, sanitizer abort, timeout)
counts as one failure even if its TAP output said nothing about it.
Exit status 1 when anything failed or no test ran at all."""
import json
import re
import sys

TAP = re.compile(r'^(not ok|ok)\b(.*)$')


def count(path):
    passed = failed = skipped = 0
    with open(path, encoding='utf-8') as log:
        for line in log:
            entry = json.loads(line)
            result = entry.get('result', '')
            cases_failed = 0
            cases = 0
            for tap in (entry.get('stdout') or '').splitlines():
                match = TAP.match(tap)
                if not match:
                    continue
                cases += 1
                directive = match.group(2)
                if '# SKIP' in directive.upper():
                    skipped += 1
                elif match.group(1) == 'ok':
                    passed += 1
                else:
                    failed += 1
                    cases_failed += 1
            if result not in ('OK', 'SKIP', 'EXPECTEDFAIL') and cases_failed == 0:
                failed += 1
                print(f"{path}: {entry.get('name')} ended {result} after {cases} cases",
                      file=sys.stderr)
    return passed, failed, skipped


def count_tap(path):
    """A plain TAP file (tests/install-check.sh); missing means it never ran."""
    passed = failed = skipped = 0
    try:
        with open(path, encoding='utf-8') as tap:
            lines = tap.read().splitlines()
    except OSError:
        print(f"{path}: missing", file=sys.stderr)
        return 0, 1, 0
    for line in lines:
        match = TAP.match(line)
        if not match:
            continue
        if '# SKIP' in match.group(2).upper():
            skipped += 1
        elif match.group(1) == 'ok':
            passed += 1
        else:
            failed += 1
    return passed, failed, skipped


def main():
    passed = failed = skipped = 0
    args = sys.argv[1:]
    while args:
        path = args.pop(0)
        if path == '--tap':
            p, f, s = count_tap(args.pop(0))
        else:
            p, f, s = count(path)
        passed += p
        failed += f
        skipped += s
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
