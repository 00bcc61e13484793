#!/usr/bin/env python3
"""End to end: another XDP program chained in front of vipd (docs/CHAINING.md). The example
filter (xdp/examples/drop_sources.bpf.c) goes into the first slot of vipd's chain with bpftool,
as an operator would plug one in, and drops one client address while vipd forwards the others;
vipd is killed and restarted, then upgraded to another program, under it: the filter stays in
its slot and keeps dropping. An interface that already runs another owner's XDP program is
refused, unless vipd is told to take it over.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from test_startup import xdp_programs  # noqa: E402
from vipd_farm import Vipd, chain_slots, packet_program_tag  # noqa: E402

CHAIN = 'vipd_chain_v1'
ALLOWED = '198.18.0.10'  # the client's own address
BLOCKED = '198.18.0.20'  # a second one, in the filter's drop list


def bpftool(*args):
    out = subprocess.run(['bpftool', '-j', *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout) if out.stdout.strip() else None


class ChainedInFront(unittest.TestCase):

    def setUp(self):
        self.farm = Farm(reals=3).start()
        self.addCleanup(self.farm.close)
        self.vipd = Vipd(self.farm).start()
        self.addCleanup(self.vipd.stop)
        self.service = f'{self.farm.vip}:80'
        self.vipd.vipadm('-A', '-t', self.service, '-s', 'rr')
        for real in self.farm.reals:
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g')
        self.farm.run('client', ['ip', 'addr', 'add', BLOCKED + '/15', 'dev',
                                 self.farm.interface('client')])

    def get_from(self, source):
        """The body of GET / through the VIP from `source`, or None when it got no answer."""
        res = self.farm.run('client', ['curl', '--silent', '--fail', '--noproxy', '*',
                                       '--max-time', '2', '--interface', source,
                                       f'http://{self.service}/'], check=False, timeout=15)
        return res.stdout.strip() if res.returncode == 0 else None

    def plug_in_filter(self):
        """Loads the example filter with vipd's chain reused and puts it in slot 0."""
        prog = os.path.join(self.farm.bpffs, 'filter')
        maps = os.path.join(self.farm.bpffs, 'filter_maps')
        os.mkdir(maps)
        chain = os.path.join(self.vipd.pin_dir, CHAIN)
        subprocess.run(['bpftool', 'prog', 'load', os.environ['VIPD_DROP_SOURCES_OBJ'], prog,
                        'type', 'xdp', 'map', 'name', CHAIN, 'pinned', chain,
                        'pinmaps', maps], check=True)
        subprocess.run(['bpftool', 'map', 'update', 'pinned', chain, 'key', '0', '0', '0', '0',
                        'value', 'pinned', prog], check=True)
        key = [str(int(b)) for b in BLOCKED.split('.')] + ['0'] * 12
        subprocess.run(['bpftool', 'map', 'update', 'pinned', os.path.join(maps, 'drop_sources'),
                        'key', *key, 'value', '1'], check=True)
        return bpftool('prog', 'show', 'pinned', prog)['id'], os.path.join(maps, 'drop_count')

    def assert_filtered(self, drops):
        before = self.dropped(drops)
        got = {self.get_from(ALLOWED) for _ in range(6)}
        self.assertEqual(got, {'real1', 'real2', 'real3'})
        self.assertIsNone(self.get_from(BLOCKED))
        self.assertGreater(self.dropped(drops), before)

    @staticmethod
    def dropped(drops):
        entry = bpftool('map', 'dump', 'pinned', drops)[0]
        values = entry.get('formatted', entry)['values']
        return sum(v['value'] if isinstance(v['value'], int) else
                   int.from_bytes(bytes(int(b, 16) for b in v['value']), 'little')
                   for v in values)

    def test_a_filter_in_front_keeps_dropping_through_a_restart_and_an_upgrade(self):
        self.assertIn(self.get_from(BLOCKED), {'real1', 'real2', 'real3'})  # no filter yet
        filter_id, drops = self.plug_in_filter()
        self.assertEqual(chain_slots(self.vipd)[0], filter_id)
        self.assert_filtered(drops)

        self.vipd.kill()
        self.vipd = Vipd(self.farm).start()
        self.addCleanup(self.vipd.stop)
        self.assertEqual(chain_slots(self.vipd)[0], filter_id)
        self.assert_filtered(drops)

        vipd_tag = packet_program_tag(self.vipd)
        self.vipd.kill()
        self.vipd = Vipd(self.farm, vipd_bin=os.environ['VIPD_VARIANT_BIN']).start()
        self.addCleanup(self.vipd.stop)
        slots = chain_slots(self.vipd)
        self.assertEqual(slots[0], filter_id)
        self.assertNotEqual(packet_program_tag(self.vipd), vipd_tag)  # upgraded in its slot
        self.assertEqual(len(xdp_programs(self.farm)), 1)  # vipd's root, the filter behind it
        self.assert_filtered(drops)

    def test_another_owners_program_is_refused_unless_taken_over(self):
        self.assertEqual(self.vipd.stop(), 0, self.vipd.log())  # a clean stop detaches
        self.assertEqual(xdp_programs(self.farm), [])
        self.farm.run('director', ['ip', 'link', 'set', 'dev', self.farm.interface('director'),
                                   'xdp', 'obj', os.environ['VIPD_XDP_PASS_OBJ'], 'sec', 'xdp'])
        foreign = xdp_programs(self.farm)
        self.assertEqual(len(foreign), 1)
        refused = Vipd(self.farm).run_to_exit()
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn('already runs the XDP program', refused.stderr)
        self.assertIn('--xdp-takeover', refused.stderr)
        self.assertEqual(xdp_programs(self.farm), foreign)  # untouched
        self.assertFalse([p for p in os.listdir(self.vipd.pin_dir)] if
                         os.path.isdir(self.vipd.pin_dir) else [])

        mark = len(self.vipd.log())
        self.vipd = Vipd(self.farm, extra_args=['--xdp-takeover']).start()
        self.addCleanup(self.vipd.stop)
        self.assertIn('--xdp-takeover: removed the XDP program', self.vipd.log()[mark:])
        self.assertNotEqual(xdp_programs(self.farm), foreign)
        self.assertEqual(len(xdp_programs(self.farm)), 1)
        # The kept table (docs/RESTART.md) brought the service back.
        got = {self.get_from(ALLOWED) for _ in range(6)}
        self.assertEqual(got, {'real1', 'real2', 'real3'})


if __name__ == '__main__':
    run_tests(__name__)
