#!/usr/bin/env python3
"""tools/junit_counts.py REPORT.xml [SHOW]: reads a ctest --output-junit report and prints
"PASSED FAILED SKIPPED" on the first line, then one line per skipped test: its name and the
first line of its output (its reason, e.g. "SKIP: no chromium"). The whole output of each test
whose name matches the regular expression SHOW goes to stderr (so a log shows what it did)."""
import re
import sys
import xml.etree.ElementTree as ET


def main():
    cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
    passed = failed = 0
    skipped = []
    show = re.compile(sys.argv[2]) if len(sys.argv) > 2 else None
    for case in cases:
        status = case.get("status")
        if show and show.search(case.get("name", "")):
            print(f"--- output of {case.get('name')} ({status}):\n" + (case.findtext("system-out") or ""),
                  file=sys.stderr)
        if status == "run":
            passed += 1
        elif status in ("notrun", "disabled") or case.find("skipped") is not None:
            out = (case.findtext("system-out") or "").strip().splitlines()
            reason = next((l for l in out if "SKIP" in l.upper()), out[0] if out else "")
            skipped.append(f"{case.get('name')} ({reason})" if reason else case.get("name"))
        else:
            failed += 1
    print(passed, failed, len(skipped))
    for s in skipped:
        print(s)


if __name__ == "__main__":
    main()
