#!/usr/bin/env python3
"""End to end: a vipd killed with -9 and started again continues from the table it kept in
--state-dir. Held connections keep their reals and their counts, new ones follow the scheduler
from where it stood, vipadm changes from before the kill stay, the program and the maps are the
same objects. Drift made behind vipd's back is repaired; a damaged state file is refused while
the fast path keeps forwarding; a kill at any moment of a stream of changes leaves a state
file a new vipd starts from. docs/RESTART.md describes it.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import json
import os
import random
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from test_config import service_toml  # noqa: E402
from test_connections import HOLDER  # noqa: E402
from test_startup import xdp_programs  # noqa: E402
from vipd_farm import Vipd, packet_program_tag  # noqa: E402

PORT = 80
HELD = 50


def map_ids(vipd):
    """The id of every pinned map, by pin name."""
    ids = {}
    for name in sorted(os.listdir(vipd.pin_dir)):
        if name.startswith('vipd_link_'):
            continue
        out = subprocess.run(['bpftool', '-j', 'map', 'show', 'pinned',
                              os.path.join(vipd.pin_dir, name)],
                             capture_output=True, text=True, check=True).stdout
        ids[name] = json.loads(out)['id']
    return ids


def program_tags(farm):
    """The tags (a hash of the instructions) of the XDP programs on the director's link."""
    tags = []
    for prog in xdp_programs(farm):
        out = subprocess.run(['bpftool', '-j', 'prog', 'show', 'id', str(prog)],
                             capture_output=True, text=True, check=True).stdout
        tags.append(json.loads(out)['tag'])
    return tags


def per_real_active(listing):
    """ActiveConn of each real of a `vipadm -L -n` listing, by real address."""
    out = {}
    for line in listing.splitlines():
        words = line.split()
        if len(words) == 6 and words[0] == '->' and words[1][0].isdigit():
            out[words[1]] = int(words[4])
    return out


class Holder:
    """HELD connections from the client, each asked in turn which real answers it."""

    def __init__(self, test, farm, n):
        self.proc = farm.popen('client', [sys.executable, '-c', HOLDER, farm.vip, str(n)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        test.addCleanup(self.end)
        test.assertEqual(self.proc.stdout.readline().strip(), 'open')
        self.n = n

    def end(self):
        self.proc.kill()
        self.proc.communicate()

    def answers(self):
        """Which real answers each connection, in order; every request on its own connection."""
        return self.answers_of(range(self.n))

    def answers_of(self, indexes):
        out = []
        for i in indexes:
            self.proc.stdin.write(f'get {i}\n')
            self.proc.stdin.flush()
            out.append(self.proc.stdout.readline().strip())
        return out


class KilledAndRestarted(unittest.TestCase):

    def setUp(self):
        self.farm = Farm(reals=3).start()
        self.addCleanup(self.farm.close)
        self.vipd = Vipd(self.farm).start()
        self.addCleanup(self.vipd.stop)
        self.service = f'{self.farm.vip}:{PORT}'
        self.vipd.vipadm('-A', '-t', self.service, '-s', 'rr')
        for real in self.farm.reals:
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g')

    def restart(self, *extra):
        self.vipd.kill()
        self.vipd = Vipd(self.farm, extra_args=list(extra)).start()
        self.addCleanup(self.vipd.stop)

    def test_held_connections_counts_scheduler_and_settings_survive_a_kill(self):
        # A change made before the kill: a second service with one real.
        other = f'{self.farm.vip}:8080'
        self.vipd.vipadm('-A', '-t', other, '-s', 'wlc')
        self.vipd.vipadm('-a', '-t', other, '-r', self.farm.ip('real1'), '-g', '-w', '3')
        holder = Holder(self, self.farm, HELD)
        before = holder.answers()
        self.assertEqual(sorted(set(before)), ['real1', 'real2', 'real3'])
        active = per_real_active(self.vipd.vipadm('-L', '-n').stdout)
        self.assertEqual(sum(active.values()), HELD)
        programs, maps = xdp_programs(self.farm), map_ids(self.vipd)
        listing_other = self.vipd.vipadm('-L', '-n', '-t', other).stdout

        self.restart()

        self.assertEqual(holder.answers(), before)
        self.assertEqual(per_real_active(self.vipd.vipadm('-L', '-n').stdout), active)
        self.assertEqual(self.vipd.vipadm('-L', '-n', '-t', other).stdout, listing_other)
        # rr went round HELD times over three reals: the next connection goes where the
        # (HELD+1)th would have gone before the kill, as vipadm explain says beforehand.
        explained = self.vipd.vipadm('explain', '-t', self.service, '--client',
                                     self.farm.ip('client')).stdout
        self.assertIn(f'goes to {self.farm.ip(before[HELD % 3])}:{PORT}', explained)
        self.assertEqual(self.farm.http_get(f'http://{self.service}/').strip(), before[HELD % 3])
        self.vipd.vipadm('-e', '-t', self.service, '-r', self.farm.ip('real3'), '-g', '-w', '0')
        self.assertIn(' 0 ', [line for line in self.vipd.vipadm('-L', '-n').stdout.splitlines()
                              if self.farm.ip('real3') + ':' in line][0])
        self.assertEqual(len(programs), 1)
        self.assertEqual(len(xdp_programs(self.farm)), 1)  # the pinned link's, replaced in place
        self.assertEqual(map_ids(self.vipd), maps)
        self.assertIn('adopted fast path: 0 repairs', self.vipd.log())  # nothing to repair

    def test_an_upgrade_to_another_program_keeps_every_flow_and_map(self):
        # The running vipd was started without the flag: restart it with it, as a unit would.
        self.vipd.kill()
        self.vipd = Vipd(self.farm, extra_args=['--keep-forwarding-on-exit']).start()
        holder = Holder(self, self.farm, HELD)
        before = holder.answers()
        active = per_real_active(self.vipd.vipadm('-L', '-n').stdout)
        tag, maps = packet_program_tag(self.vipd), map_ids(self.vipd)
        self.assertEqual(len(xdp_programs(self.farm)), 1)
        self.assertEqual(self.vipd.stop(), 0, self.vipd.log())
        self.assertEqual(holder.answers(), before)  # forwarding while no vipd runs
        self.vipd = Vipd(self.farm, vipd_bin=os.environ['VIPD_VARIANT_BIN']).start()
        self.addCleanup(self.vipd.stop)
        self.assertEqual(len(xdp_programs(self.farm)), 1)
        # Another packet program runs now, in its chain slot, on the same maps.
        self.assertNotEqual(packet_program_tag(self.vipd), tag)
        self.assertEqual(map_ids(self.vipd), maps)
        self.assertEqual(holder.answers(), before)
        self.assertEqual(per_real_active(self.vipd.vipadm('-L', '-n').stdout), active)
        self.assertEqual(self.farm.http_get(f'http://{self.service}/').strip(), before[HELD % 3])

    def test_without_its_state_file_a_restart_removes_the_old_table_and_keeps_its_ids(self):
        holder = Holder(self, self.farm, 6)
        holder.answers()
        self.vipd.kill()
        os.unlink(os.path.join(self.vipd.state_dir, 'table.json'))
        self.vipd = Vipd(self.farm).start()
        self.addCleanup(self.vipd.stop)
        self.assertIn('no table says what its 1 services and 3 reals are', self.vipd.log())
        self.assertEqual(self.vipd.vipadm('-L', '-n').stdout.count('->'), 1)  # the header only
        self.vipd.vipadm('-A', '-t', self.service, '-s', 'rr')
        for real in reversed(self.farm.reals):  # another order: other ids, were they reused
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g')
        # The held connections' entries name the old ids, not the new reals.
        self.assertEqual(per_real_active(self.vipd.vipadm('-L', '-n').stdout),
                         {f'{self.farm.ip(r)}:80': 0 for r in self.farm.reals})
        got = {self.farm.http_get(f'http://{self.service}/').strip() for _ in range(6)}
        self.assertEqual(sorted(got), ['real1', 'real2', 'real3'])
        self.vipd.vipadm('-C')
        self.assertEqual(self.vipd.vipadm('-L', '-n').stdout.count('->'), 1)

    def test_drift_behind_vipds_back_is_repaired_and_logged(self):
        self.vipd.kill()
        real_ids = [e['key'] for e in self._dump('vipd_reals_v1')
                    if any(int(b, 16) for b in e['value'])]
        self.assertEqual(len(real_ids), 3)
        zero = ['0'] * 32
        subprocess.run(['bpftool', 'map', 'update', 'pinned', self._pin('vipd_reals_v1'), 'key',
                        'hex'] + real_ids[0] + ['value'] + zero, check=True)
        # A stray service: the kept one's generation under another port (8080).
        svc = self._dump('vipd_svcs_v1')[0]
        key = list(svc['key'])
        key[16:18] = ['0x1f', '0x90']
        subprocess.run(['bpftool', 'map', 'update', 'pinned', self._pin('vipd_svcs_v1'), 'key',
                        'hex'] + [b[2:] for b in key] + ['value', 'hex'] +
                       [b[2:] for b in svc['value']], check=True)
        self.assertEqual(len(self._dump('vipd_svcs_v1')), 2)
        self.vipd = Vipd(self.farm).start()
        self.addCleanup(self.vipd.stop)
        self.assertIn('adopted fast path: real id', self.vipd.log())
        self.assertIn('is missing: written', self.vipd.log())
        self.assertIn(f'service TCP {self.farm.vip}:8080 is held without a table row: removed',
                      self.vipd.log())
        self.assertIn('adopted fast path: 2 repairs', self.vipd.log())
        self.assertEqual(len(self._dump('vipd_svcs_v1')), 1)
        got = {self.farm.http_get(f'http://{self.service}/').strip() for _ in range(6)}
        self.assertEqual(sorted(got), ['real1', 'real2', 'real3'])

    def test_a_damaged_state_file_is_refused_and_the_fast_path_keeps_forwarding(self):
        self.vipd.kill()
        path = os.path.join(self.vipd.state_dir, 'table.json')
        with open(path, 'r+') as f:
            f.truncate(os.path.getsize(path) // 2)
        refused = Vipd(self.farm).run_to_exit()
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn(f'state file {path} is not valid', refused.stderr)
        self.assertIn('--reset', refused.stderr)
        got = {self.farm.http_get(f'http://{self.service}/').strip() for _ in range(6)}
        self.assertEqual(sorted(got), ['real1', 'real2', 'real3'])
        self.vipd = Vipd(self.farm, extra_args=['--reset']).start()
        self.addCleanup(self.vipd.stop)
        self.assertNotIn('TCP', self.vipd.vipadm('-L', '-n').stdout.split('\n', 3)[-1])

    def test_reset_starts_from_the_file_alone_and_ends_connections_to_reals_it_drops(self):
        holder = Holder(self, self.farm, 6)
        before = holder.answers()
        self.vipd.vipadm('-A', '-t', f'{self.farm.vip}:8080', '-s', 'rr')  # forgotten by --reset
        conf = os.path.join(self.farm.tempdir, 'vipd.conf')
        with open(conf, 'w') as f:
            f.write(service_toml(self.farm.vip, [(self.farm.ip('real1'), 1),
                                                 (self.farm.ip('real2'), 1)]))
        self.restart('--config', conf, '--reset')
        listing = self.vipd.vipadm('-L', '-n').stdout
        self.assertNotIn(':8080', listing)
        self.assertNotIn(self.farm.ip('real3'), listing)
        destinations = [line.split()[-1] for line in
                        self.vipd.vipadm('-L', '-n', '-c').stdout.splitlines()[2:]]
        self.assertEqual(len(destinations), before.count('real1') + before.count('real2'))
        self.assertFalse(any(d.startswith(self.farm.ip('real3') + ':') for d in destinations))
        kept = [i for i, real in enumerate(before) if real != 'real3']
        after = holder.answers_of(kept)
        self.assertEqual(after, [before[i] for i in kept])

    def test_a_kill_at_any_moment_of_a_stream_of_changes_leaves_a_usable_state_file(self):
        rng = random.Random(7)
        for round_ in range(4):
            stream = self.farm.popen('director', ['sh', '-c', (
                f'i=0; while :; do i=$((i % 7 + 1)); {self.vipd.vipadm_bin} -e -t {self.service} '
                f'-r {self.farm.ip("real1")} -g -w $i; done')],
                env=dict(os.environ, VIPD_SOCKET=self.vipd.socket),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.2, 0.8))
            self.restart()
            stream.kill()
            stream.wait()
            self.assertIn(self.farm.ip('real1'), self.vipd.vipadm('-L', '-n').stdout, round_)

    def _pin(self, name):
        return os.path.join(self.vipd.pin_dir, name)

    def _dump(self, name):
        out = subprocess.run(['bpftool', '-j', 'map', 'dump', 'pinned', self._pin(name)],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)


if __name__ == '__main__':
    run_tests(__name__)
