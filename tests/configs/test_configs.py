#!/usr/bin/env python3
"""configs/prometheus: the scrape configuration and the alerting rules pass promtool's checks,
the rules fire as tests/configs/vipd-alerts.test.yml expects, and every query of the Grafana
dashboard parses and names only series vipd exports (director/metrics/Collector.cpp's
catalogue) or Prometheus's own `up`."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONFIGS = os.path.join(ROOT, 'configs', 'prometheus')
CATALOGUE = os.path.join(ROOT, 'director', 'metrics', 'Collector.cpp')
PROMTOOL = shutil.which('promtool')


def exported_names():
    with open(CATALOGUE) as f:
        return set(re.findall(r'Spec k\w+\{\s*"(vipd_\w+)"', f.read()))


def promtool(*args, cwd=None):
    return subprocess.run([PROMTOOL] + list(args), capture_output=True, text=True, cwd=cwd,
                          timeout=60)


def dashboard_exprs():
    with open(os.path.join(CONFIGS, 'vipd-dashboard.json')) as f:
        dash = json.load(f)
    return [t['expr'] for p in dash['panels'] for t in p['targets']]


class Configs(unittest.TestCase):
    def setUp(self):
        self.assertIsNotNone(PROMTOOL, 'promtool missing: tools/lib/deps.sh installs prometheus')

    def test_the_scrape_configuration_and_its_rules_are_valid(self):
        res = promtool('check', 'config', os.path.join(CONFIGS, 'prometheus.yml'))
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)

    def test_the_rules_pass_promtool_check_rules(self):
        res = promtool('check', 'rules', os.path.join(CONFIGS, 'vipd-alerts.yml'))
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn('SUCCESS', res.stdout)

    def test_the_rules_fire_as_expected(self):
        res = promtool('test', 'rules', 'vipd-alerts.test.yml', cwd=HERE)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)

    def test_the_rules_and_dashboard_name_only_exported_series(self):
        names = exported_names()
        self.assertIn('vipd_backend_weight', names)
        with open(os.path.join(CONFIGS, 'vipd-alerts.yml')) as f:
            used = set(re.findall(r'\bvipd_\w+', f.read()))
        for expr in dashboard_exprs():
            used |= set(re.findall(r'\bvipd_\w+', expr))
        self.assertEqual(used - names, set())

    def test_every_dashboard_query_parses(self):
        """Each query as a recording rule, Grafana's variables replaced: promtool parses it."""
        rules = []
        for i, expr in enumerate(dashboard_exprs()):
            expr = expr.replace('$__rate_interval', '5m')
            expr = re.sub(r'\$\w+', '.*', expr)
            rules.append({'record': f'dashboard:query_{i}', 'expr': expr})
        with tempfile.NamedTemporaryFile('w', suffix='.yml', delete=False) as f:
            json.dump({'groups': [{'name': 'dashboard', 'rules': rules}]}, f)  # YAML ⊃ JSON
        self.addCleanup(os.unlink, f.name)
        res = promtool('check', 'rules', f.name)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn(f'{len(rules)} rules found', res.stdout)


if __name__ == '__main__':
    program = unittest.main(exit=False, verbosity=2)
    sys.exit(0 if program.result.wasSuccessful() else 1)
