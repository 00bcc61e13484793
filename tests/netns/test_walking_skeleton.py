#!/usr/bin/env python3
"""End to end: vipd with its XDP fast path in front of a farm of three nginx reals (LVS-DR on one
L2 segment), driven by vipadm, proven by real HTTP traffic from a client namespace.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from vipd_farm import ClientSniffer, Vipd, counter_deltas  # noqa: E402

PORT = 80


class WalkingSkeleton(unittest.TestCase):
    """One farm and one vipd for the whole class; each test starts from an empty table."""

    @classmethod
    def setUpClass(cls):
        cls.farm = Farm().start()
        try:
            cls.vipd = Vipd(cls.farm).start()
        except BaseException:
            cls.farm.close()
            raise
        cls.service = f'{cls.farm.vip}:{PORT}'

    @classmethod
    def tearDownClass(cls):
        status = cls.vipd.stop()
        log = cls.vipd.log()
        cls.farm.close()
        if status != 0:
            raise AssertionError(f'vipd exited with {status} on SIGTERM:\n{log}')

    def setUp(self):
        self.vipd.vipadm('-C')

    def add_farm(self, *reals):
        """-A the service with rr, then -a each real in the order given."""
        self.vipd.vipadm('-A', '-t', self.service, '-s', 'rr')
        for real in reals:
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g')

    def fetch(self, n):
        """n HTTP requests over new connections; the name of the real that answered each."""
        return [self.farm.http_get(f'http://{self.service}/').strip() for _ in range(n)]

    def connect_outcome(self):
        """What a TCP connect from the client to the service ends in: 'connected' or the name
        of the exception (a refusal by ICMP port unreachable is ConnectionRefusedError)."""
        probe = ('import socket\n'
                 'try:\n'
                 f'    socket.create_connection(("{self.farm.vip}", {PORT}), timeout=3)\n'
                 '    print("connected")\n'
                 'except OSError as e:\n'
                 '    print(type(e).__name__)\n')
        return self.farm.run('client', [sys.executable, '-c', probe]).stdout.strip()

    def test_requests_rotate_over_the_reals_in_ipvs_order(self):
        self.add_farm('real1', 'real2', 'real3')
        before = self.vipd.counters()
        with ClientSniffer(self.farm) as sniffer:
            answers = self.fetch(30)
            seen = sniffer.result()
        moved = counter_deltas(before, self.vipd.counters())
        # IPVS puts a newly added real at the head of the list: the last added answers first.
        self.assertEqual(answers, ['real3', 'real2', 'real1'] * 10)
        self.assertEqual(seen['rst_from_vip'], 0)
        # Every packet the client sent to the VIP was forwarded by the fast path, and nothing
        # addressed to the service was dropped or passed to the director's kernel.
        self.assertEqual(moved.get('TX', 0), seen['to_vip'], moved)
        self.assertEqual(moved.get('INFO_NEW_CONN', 0), 30, moved)
        self.assertFalse({k: v for k, v in moved.items() if k.startswith('DROP_')}, moved)
        self.assertEqual(moved.get('PASS_NOT_SERVICE', 0), 0, moved)

    def test_the_program_is_attached_in_native_mode(self):
        out = self.farm.run('director', ['ip', '-d', 'link', 'show', 'dev',
                                         self.farm.interface('director')]).stdout
        self.assertIn('prog/xdp id', out)
        self.assertNotIn('xdpgeneric', out)

    def test_a_deleted_real_gets_no_new_requests(self):
        self.add_farm('real1', 'real2', 'real3')
        self.fetch(3)
        self.vipd.vipadm('-d', '-t', self.service, '-r', self.farm.ip('real2'))
        answers = self.fetch(12)
        self.assertNotIn('real2', answers)
        self.assertEqual(sorted(set(answers)), ['real1', 'real3'])

    def test_a_service_without_reals_refuses_with_icmp_not_rst(self):
        self.add_farm('real1', 'real2', 'real3')
        self.fetch(3)
        for real in ('real1', 'real2', 'real3'):
            self.vipd.vipadm('-d', '-t', self.service, '-r', self.farm.ip(real))
        before = self.vipd.counters()
        with ClientSniffer(self.farm) as sniffer:
            outcome = self.connect_outcome()
            seen = sniffer.result()
        moved = counter_deltas(before, self.vipd.counters())
        self.assertEqual(outcome, 'ConnectionRefusedError')
        self.assertGreaterEqual(seen['icmp_unreach_from_vip'], 1)
        self.assertEqual(seen['rst_from_vip'], 0)
        self.assertEqual(moved.get('TX_ICMP_UNREACH', 0), seen['icmp_unreach_from_vip'], moved)
        self.assertEqual(moved.get('PASS_NOT_SERVICE', 0), 0, moved)


if __name__ == '__main__':
    run_tests(__name__)
