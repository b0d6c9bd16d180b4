#!/usr/bin/env python3
"""tools/junit_counts.py REPORT.xml: reads a ctest --output-junit report and prints
"PASSED FAILED SKIPPED" on the first line, then one line per skipped test: its name and the
first line of its output (its reason, e.g. "SKIP: no chromium")."""
import sys
import xml.etree.ElementTree as ET


def main():
    cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
    passed = failed = 0
    skipped = []
    for case in cases:
        status = case.get("status")
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
