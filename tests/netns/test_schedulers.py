#!/usr/bin/env python3
"""End to end: schedulers other than rr on the farm. wrr with weights 3:2:1 spreads 60 new
connections 30/20/10; lc, with connections held open to two reals, sends every new short
connection to the third.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import collections
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from test_connections import HOLDER  # noqa: E402
from vipd_farm import Vipd  # noqa: E402

PORT = 80


class Schedulers(unittest.TestCase):

    def setUp(self):
        self.farm = Farm().start()
        self.addCleanup(self.farm.close)
        self.vipd = Vipd(self.farm).start()
        self.addCleanup(self.vipd.stop)
        self.service = f'{self.farm.vip}:{PORT}'

    def add(self, scheduler, weights):
        self.vipd.vipadm('-A', '-t', self.service, '-s', scheduler)
        for real, weight in weights.items():
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g',
                             '-w', str(weight))

    def fetch(self, n):
        return [self.farm.http_get(f'http://{self.service}/').strip() for _ in range(n)]

    def test_wrr_spreads_connections_by_weight(self):
        self.add('wrr', {'real1': 3, 'real2': 2, 'real3': 1})
        spread = collections.Counter(self.fetch(60))
        self.assertEqual(spread, {'real1': 30, 'real2': 20, 'real3': 10})

    def test_lc_sends_short_connections_past_reals_holding_long_ones(self):
        self.add('lc', {'real1': 1, 'real2': 1, 'real3': 1})
        holder = self.farm.popen('client', [sys.executable, '-c', HOLDER, self.farm.vip, '2'],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(holder.communicate)
        self.addCleanup(holder.kill)
        self.assertEqual(holder.stdout.readline().strip(), 'open')
        # The list runs real3, real2, real1 from the head: the held ones went to real3 and real2.
        self.assertEqual(self.fetch(10), ['real1'] * 10)


if __name__ == '__main__':
    run_tests(__name__)
