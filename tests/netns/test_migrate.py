#!/usr/bin/env python3
"""End to end: a vipd upgrades in place from the previous release's table layouts. The previous
release (previous_release.py: vipd_neigh_v1, no vipd_ipid_v1, fewer counters) runs the farm with
held connections and stops keeping forwarding; this vipd finds its maps, migrates them (the next
hops converted, the new table created, the counters carried over) and replaces the program in
the pinned link. Every held connection keeps its real and its count, the counters keep what they
had, the unchanged maps are the same objects, and the earlier maps are gone. docs/RESTART.md
"Migrating pinned maps" describes it.

Needs root, network namespaces, BPF, and the project's history (git) to build the previous
release. Without them it prints SKIPPED and exits 77, except under CI=true, where that is a
failure."""

import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import previous_release  # noqa: E402
from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from test_restart import Holder, map_ids, per_real_active, program_tags  # noqa: E402
from vipd_farm import Vipd  # noqa: E402

PORT = 80
HELD = 30
# What the previous release pinned that this vipd replaces, and what it adds.
EARLIER = 'vipd_neigh_v1'
NEW = ('vipd_neigh_v2', 'vipd_ipid_v1')
# The maps whose layout and size did not change: adopted as they are.
GROWN = 'vipd_cnt_v1'


def previous_binaries():
    into = os.environ.get('VIPD_PREVIOUS_BUILD_DIR') or '/var/tmp/vipd-previous-release'
    return previous_release.build(into)


class MigratedFromThePreviousLayouts(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        try:
            cls.old_vipd, cls.old_vipadm = previous_binaries()
        except previous_release.Unavailable as e:
            if os.environ.get('CI') == 'true':
                raise
            raise unittest.SkipTest(f'*** SKIPPED: {e} ***')

    def setUp(self):
        self.farm = Farm(reals=3).start()
        self.addCleanup(self.farm.close)
        self.vipd = Vipd(self.farm, vipd_bin=self.old_vipd, vipadm_bin=self.old_vipadm,
                         extra_args=['--keep-forwarding-on-exit']).start()
        self.addCleanup(self.vipd.stop)
        self.service = f'{self.farm.vip}:{PORT}'
        self.vipd.vipadm('-A', '-t', self.service, '-s', 'rr')
        for real in self.farm.reals:
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g')

    def start_new(self):
        """Starts this vipd on the farm; returns what it logged."""
        mark = len(self.vipd.log())
        self.vipd = Vipd(self.farm).start()
        self.addCleanup(self.vipd.stop)
        return self.vipd.log()[mark:]

    def pins(self):
        return set(os.listdir(self.vipd.pin_dir))

    def test_held_connections_counts_and_counters_survive_the_migration(self):
        holder = Holder(self, self.farm, HELD)
        before = holder.answers()
        self.assertEqual(sorted(set(before)), ['real1', 'real2', 'real3'])
        active = per_real_active(self.vipd.vipadm('-L', '-n').stdout)
        self.assertEqual(sum(active.values()), HELD)
        self.assertIn(EARLIER, self.pins())
        self.assertFalse(set(NEW) & self.pins())
        old_maps = map_ids(self.vipd)
        counted = self.vipd.counters()
        self.assertGreater(counted['TX'], 0)
        tags = program_tags(self.farm)

        self.assertEqual(self.vipd.stop(), 0, self.vipd.log())
        self.assertEqual(holder.answers(), before)  # the old program forwards alone
        log = self.start_new()
        self.assertIn('are of earlier layouts (ipid created, nat created, natsrc created, neigh v1 -> v2, '
                      'chain created)', log)
        self.assertIn(f'migrated the maps pinned in {self.vipd.pin_dir}: {EARLIER} -> '
                      'vipd_neigh_v2 (', log)
        self.assertIn(f'{GROWN} grown from', log)
        pins = self.pins()
        self.assertNotIn(EARLIER, pins)
        self.assertTrue(set(NEW) <= pins)
        self.assertFalse([p for p in pins if p.endswith('_migrating')])
        # One program, another one, on the same connection table and the unchanged maps.
        upgraded = program_tags(self.farm)
        self.assertEqual(len(upgraded), 1)
        self.assertNotEqual(upgraded, tags)
        maps = map_ids(self.vipd)
        for name, map_id in old_maps.items():
            if name not in (EARLIER, GROWN, 'vipd_anchor'):
                self.assertEqual(maps[name], map_id, name)
        self.assertNotEqual(maps[GROWN], old_maps[GROWN])  # longer, in its place
        self.assertNotEqual(maps['vipd_anchor'], old_maps['vipd_anchor'])

        self.assertEqual(holder.answers(), before)
        self.assertEqual(per_real_active(self.vipd.vipadm('-L', '-n').stdout), active)
        after = self.vipd.counters()
        for name, value in counted.items():
            self.assertGreaterEqual(after[name], value, name)  # carried over, then counting on
        self.assertEqual(self.farm.http_get(f'http://{self.service}/').strip(), before[HELD % 3])

        # The next start adopts the migrated maps as they are.
        self.vipd.kill()
        log = self.start_new()
        self.assertNotIn('earlier layouts', log)
        self.assertIn('adopted fast path: 0 repairs', log)
        self.assertEqual(map_ids(self.vipd), maps)
        self.assertEqual(holder.answers(), before)

    def test_what_an_interrupted_migration_left_is_removed_at_the_next_start(self):
        self.assertEqual(self.vipd.stop(), 0, self.vipd.log())
        self.assertIn('migrated the maps', self.start_new())
        self.vipd.kill()
        # As if the migration had stopped after its commit point: the earlier map still pinned,
        # and a temporary pin beside the counters.
        conns = os.path.join(self.vipd.pin_dir, 'vipd_conns_v1')
        for leftover in (EARLIER, GROWN + '_migrating'):
            subprocess.run(['bpftool', 'map', 'pin', 'pinned', conns,
                            os.path.join(self.vipd.pin_dir, leftover)], check=True)
        log = self.start_new()
        for leftover in (EARLIER, GROWN + '_migrating'):
            self.assertIn(f'removed {leftover}, left by an interrupted migration', log)
            self.assertNotIn(leftover, self.pins())
        got = {self.farm.http_get(f'http://{self.service}/').strip() for _ in range(6)}
        self.assertEqual(sorted(got), ['real1', 'real2', 'real3'])


if __name__ == '__main__':
    run_tests(__name__)
