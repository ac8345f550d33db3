#!/usr/bin/env python3
"""Reads `profilebench check --junit` files with junitparser (a JUnit reader from PyPI, the
same model GitLab, Jenkins and the GitHub reporters apply) and checks that they are consistent:
the counts each <testsuites>/<testsuite> states equal the testcases and failures it holds, every
failure has a message, and (optionally) the totals are the expected ones.

    python3 -m venv .build/venv && .build/venv/bin/pip install junitparser
    .build/venv/bin/python scripts/check-junit.py FILE... [--tests N] [--failures N] [--failed-metric NAME]

Prints one summary line per file; exits 1 naming the file and the mismatch, 2 on bad usage.
"""
import argparse
import sys

try:
    import junitparser
    from junitparser import Failure, JUnitXml, TestSuite
except ImportError:
    sys.exit("check-junit: error: junitparser is not installed (pip install junitparser)")


def check(path, want_tests, want_failures, failed_metrics):
    """Returns a list of problems with the file at `path` (empty when it is fine)."""
    problems = []
    try:
        xml = JUnitXml.fromfile(path)
    except Exception as e:  # junitparser raises lxml/ElementTree errors on malformed XML
        return [f"{path}: not readable as JUnit XML: {e}"], 0, 0
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    if not suites:
        problems.append(f"{path}: expected at least one <testsuite>, found none")
    total_cases = total_failures = 0
    failed_names = set()
    for suite in suites:
        cases = list(suite)
        failures = 0
        for case in cases:
            results = case.result
            fails = [r for r in results if isinstance(r, Failure)]
            if len(results) != len(fails):
                problems.append(f"{path}: {suite.name} / {case.classname} {case.name}: expected only <failure> results, found {results}")
            if fails:
                failures += 1
                failed_names.add(case.name)
                if not fails[0].message:
                    problems.append(f"{path}: {suite.name} / {case.classname} {case.name}: <failure> has no message")
        if suite.tests != len(cases):
            problems.append(f"{path}: testsuite {suite.name!r} says tests={suite.tests}, holds {len(cases)} testcases")
        if suite.failures != failures:
            problems.append(f"{path}: testsuite {suite.name!r} says failures={suite.failures}, holds {failures} failed testcases")
        total_cases += len(cases)
        total_failures += failures
    if not isinstance(xml, TestSuite):
        # The root's own attributes, as written (junitparser recomputes them only on update()).
        for attr, counted in (("tests", total_cases), ("failures", total_failures)):
            stated = getattr(xml, attr)
            if stated is None or stated != counted:
                problems.append(f"{path}: <testsuites> says {attr}={stated}, holds {counted}")
    if want_tests is not None and total_cases != want_tests:
        problems.append(f"{path}: expected {want_tests} testcases, found {total_cases}")
    if want_failures is not None and total_failures != want_failures:
        problems.append(f"{path}: expected {want_failures} failures, found {total_failures}")
    for m in failed_metrics:
        if m not in failed_names:
            problems.append(f"{path}: expected a failed testcase for {m}, found failures for {sorted(failed_names) or 'none'}")
    return problems, total_cases, total_failures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--tests", type=int, help="expected number of testcases (with one file)")
    ap.add_argument("--failures", type=int, help="expected number of failed testcases (with one file)")
    ap.add_argument("--failed-metric", action="append", default=[], help="a metric that must have failed")
    a = ap.parse_args()
    if len(a.files) > 1 and (a.tests is not None or a.failures is not None or a.failed_metric):
        ap.error("--tests, --failures and --failed-metric need exactly one file")
    bad = False
    for path in a.files:
        problems, cases, failures = check(path, a.tests, a.failures, a.failed_metric)
        for p in problems:
            print(f"check-junit: error: {p}", file=sys.stderr)
        bad = bad or bool(problems)
        print(f"{path}: {cases} testcases, {failures} failures (junitparser {junitparser.version})" + ("" if not problems else ": INVALID"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
