"""The common main of the end-to-end tests: run a unittest module, skipping loudly (exit 77,
meson's skip) when root or network namespaces are missing, and failing instead under CI=true."""

import os
import subprocess
import sys
import unittest


def missing_capability():
    """Why this process cannot build farms, or None."""
    if os.geteuid() != 0:
        return 'not root'
    probe = f'vipd-probe-{os.getpid()}'
    res = subprocess.run(['ip', 'netns', 'add', probe], capture_output=True, text=True)
    if res.returncode != 0:
        return 'cannot create network namespaces: ' + res.stderr.strip()
    subprocess.run(['ip', 'netns', 'delete', probe], capture_output=True)
    return None


def run_tests(module_name):
    reason = missing_capability()
    if reason:
        if os.environ.get('CI') == 'true':
            print(f'FAILED: capability missing under CI: {reason}', flush=True)
            sys.exit(1)
        print(f'*** SKIPPED: capability missing: {reason} ***', flush=True)
        sys.exit(77)
    program = unittest.main(module=module_name, exit=False, verbosity=2)
    sys.exit(0 if program.result.wasSuccessful() else 1)
