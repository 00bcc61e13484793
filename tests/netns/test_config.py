#!/usr/bin/env python3
"""End to end: vipd.conf. `vipd -t` on a good file and on a bad one; a SIGHUP reload with
connections held open, that adds a real, changes a weight and removes a real without moving the
established connections of the reals that stay; an invalid file refused on reload while the old
table keeps serving.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import grp
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from test_connections import HeldConnections  # noqa: E402
from vipd_farm import Vipd, counter_deltas  # noqa: E402

PORT = 80


def service_toml(vip, reals, scheduler='rr'):
    """A vipd.conf with one TCP service over `reals`, a list of (address, weight)."""
    text = (f'[timeouts]\ntcpfin = 60\n\n[[service]]\nprotocol = "tcp"\n'
            f'address = "{vip}:{PORT}"\nscheduler = "{scheduler}"\n')
    for address, weight in reals:
        text += f'\n  [[service.real]]\n  address = "{address}:{PORT}"\n  weight = {weight}\n'
    return text


class CheckConfig(unittest.TestCase):
    """vipd -t: exit 0 on a good file, non-zero with every error's file:line:column."""

    def check(self, text, *args):
        with tempfile.NamedTemporaryFile('w', suffix='.conf', delete=False) as f:
            f.write(text)
        self.addCleanup(os.unlink, f.name)
        res = subprocess.run([os.environ['VIPD_BIN'], '-t', '--config', f.name] + list(args),
                             capture_output=True, text=True, timeout=30)
        return f.name, res

    def test_a_good_file_passes(self):
        path, res = self.check('[vipd]\ninterfaces = ["eth0"]\n' +
                               service_toml('198.18.0.50', [('198.18.0.11', 1)]))
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn(f'vipd: configuration {path} is valid', res.stderr)

    def test_a_bad_file_fails_with_every_error(self):
        path, res = self.check('[[service]]\nprotocol = "tcp"\naddress = "198.18.0.50:80"\n'
                               'scheduler = "nope"\n[[service.real]]\naddress = "198.18.0.11"\n'
                               'weigth = 1\n', '--interface', 'eth0')
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn(f'{path}:4:13: scheduler nope is not available', res.stderr)
        self.assertIn(f"{path}:7:1: unknown key 'weigth' in [[service.real]]", res.stderr)
        self.assertIn(f'vipd: configuration {path} is not valid', res.stderr)

    def test_one_bad_file_per_class_of_error(self):
        svc = '[[service]]\nprotocol = "tcp"\naddress = "198.18.0.50:80"\n'
        real = '[[service.real]]\naddress = "198.18.0.11"\n'
        cases = {
            'syntax': ('[vipd]\ninterfaces = ["eth0"\n',
                       '2:22: Error while parsing array: encountered end-of-file'),
            'unknown key': (svc + 'sheduler = "rr"\n',
                            "4:1: unknown key 'sheduler' in [[service]]"),
            'wrong type': (svc + real + 'weight = "2"\n',
                           "6:10: 'weight' must be an integer, not a string"),
            'range': (svc + real + 'weight = 65536\n',
                      "6:10: 'weight' = 65536 is out of range 0..65535"),
            'duplicate': (svc + svc, '6:11: duplicate service TCP 198.18.0.50:80'),
            'unknown scheduler': (svc + 'scheduler = "wlcc"\n',
                                  '4:13: scheduler wlcc is not available'),
            'illegal flag': (svc + 'scheduler = "rr"\nflags = ["sh-port"]\n',
                             "5:9: incompatible scheduler flag `sh-port'"),
        }
        for name, (text, message) in cases.items():
            with self.subTest(name):
                path, res = self.check(text, '--interface', 'eth0')
                self.assertEqual(res.returncode, 1, res.stderr)
                self.assertEqual(res.stderr, f'vipd: {path}:{message}\n'
                                             f'vipd: configuration {path} is not valid\n')

    def test_a_file_without_an_interface_fails_unless_the_command_line_gives_one(self):
        _, res = self.check(service_toml('198.18.0.50', []))
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn("no interface: give --interface or 'interfaces' in [vipd]", res.stderr)
        _, res = self.check(service_toml('198.18.0.50', []), '--interface', 'eth0')
        self.assertEqual(res.returncode, 0, res.stderr)
        # vipd itself refuses to start without one, before it touches anything.
        with tempfile.NamedTemporaryFile('w', suffix='.conf') as f:
            f.write(service_toml('198.18.0.50', []))
            f.flush()
            res = subprocess.run([os.environ['VIPD_BIN'], '--config', f.name, '--foreground'],
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(res.returncode, 2, res.stderr)
        self.assertIn("no interface: give --interface or 'interfaces' in [vipd]", res.stderr)

    def test_import_ipvsadm_writes_a_file_that_passes(self):
        with tempfile.NamedTemporaryFile('w', suffix='.rules', delete=False) as f:
            f.write('# ipvsadm.rules\n-A -t 198.18.0.50:80 -s wrr\n'
                    '-a -t 198.18.0.50:80 -r 198.18.0.11:80 -g -w 2\n')
        self.addCleanup(os.unlink, f.name)
        res = subprocess.run([os.environ['VIPD_BIN'], '--import-ipvsadm', f.name],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn('scheduler = "wrr"', res.stdout)
        _, checked = self.check(res.stdout, '--interface', 'eth0')
        self.assertEqual(checked.returncode, 0, checked.stderr)


class AdminGroup(unittest.TestCase):
    """admin_group: the admin socket is the group's, mode 0660; without it root's alone, 0600."""

    def test_the_socket_belongs_to_the_admin_group(self):
        with Farm() as farm:
            conf = os.path.join(farm.tempdir, 'vipd.conf')
            with open(conf, 'w') as f:
                f.write('[vipd]\nadmin_group = "adm"\n')
            vipd = Vipd(farm, extra_args=['--config', conf]).start()
            st = os.stat(vipd.socket)
            self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
            self.assertEqual(st.st_gid, grp.getgrnam('adm').gr_gid)
            self.assertEqual(vipd.stop(), 0, vipd.log())

    def test_without_it_the_socket_is_roots_alone(self):
        with Farm() as farm:
            vipd = Vipd(farm).start()
            self.assertEqual(stat.S_IMODE(os.stat(vipd.socket).st_mode), 0o600)
            self.assertEqual(vipd.stop(), 0, vipd.log())


class Reload(HeldConnections, unittest.TestCase):
    """SIGHUP with connections held open through the service."""

    def setUp(self):
        self.farm = Farm().start()
        self.addCleanup(self.farm.close)
        self.service = f'{self.farm.vip}:{PORT}'
        self.conf = os.path.join(self.farm.tempdir, 'vipd.conf')
        self.write([('real1', 1), ('real2', 1)])
        self.vipd = Vipd(self.farm, extra_args=['--config', self.conf,
                                                '--expire-nodest-conn']).start()
        self.addCleanup(self.vipd.stop)

    def write(self, reals, text=None):
        with open(self.conf, 'w') as f:
            f.write(text if text is not None else
                    service_toml(self.farm.vip, [(self.farm.ip(r), w) for r, w in reals]))

    def answers(self, holder, n):
        return [self.step(holder, f'get {i}') for i in range(n)]

    def reals_listed(self):
        """(address:port, weight) of each real in `vipadm -L -n`, in its order."""
        return re.findall(r'->\s+(\S+)\s+Route\s+(\d+)', self.vipd.vipadm('-L', '-n').stdout)

    def test_a_valid_change_keeps_established_connections_of_the_reals_that_stay(self):
        holder = self.hold(4)
        before = self.answers(holder, 4)
        self.assertEqual(sorted(before), ['real1', 'real1', 'real2', 'real2'])
        self.wait_for_counts((4, 0), timeout=5)
        self.write([('real1', 3), ('real3', 1)])  # real1 weighted, real2 removed, real3 added
        counters = self.vipd.counters()
        outcome = self.vipd.reload()
        self.assertTrue(outcome.startswith(f'reloaded {self.conf}'), outcome)
        self.assertEqual(self.reals_listed(), [(f'{self.farm.ip("real1")}:{PORT}', '3'),
                                               (f'{self.farm.ip("real3")}:{PORT}', '1')])
        # expire_nodest_conn: the removed real's two connections ended with the reload.
        moved = counter_deltas(counters, self.vipd.counters())
        self.assertEqual(moved.get('INFO_NODEST_EXPIRED', 0), 2, moved)
        # The kept real's connections are where they were, and still answer.
        kept = [i for i, name in enumerate(before) if name == 'real1']
        for i in kept:
            self.assertEqual(self.step(holder, f'get {i}'), 'real1')
        self.assertEqual(self.counts(), (2, 0))
        fresh = {self.farm.http_get(f'http://{self.service}/').strip() for _ in range(8)}
        self.assertEqual(fresh, {'real1', 'real3'})
        self.assertIn('INFO_NEW_CONN', counter_deltas(counters, self.vipd.counters()))

    def test_an_invalid_file_is_refused_and_the_old_table_keeps_serving(self):
        holder = self.hold(2)
        before = self.answers(holder, 2)
        table = self.vipd.vipadm('-S', '-n').stdout
        self.write(None, service_toml(self.farm.vip, [(self.farm.ip('real3'), 1)]) +
                   '  wieght = 2\n')
        outcome = self.vipd.reload()
        self.assertEqual(outcome, f'reload refused, the running table stays: errors in {self.conf}')
        self.assertIn(f"<3>vipd: {self.conf}:12:3: unknown key 'wieght' in [[service.real]]\n",
                      self.vipd.log())
        self.assertEqual(self.vipd.vipadm('-S', '-n').stdout, table)
        self.assertEqual(self.answers(holder, 2), before)
        fresh = {self.farm.http_get(f'http://{self.service}/').strip() for _ in range(4)}
        self.assertEqual(fresh, {'real1', 'real2'})
        # A file that is gone is an error too, not an empty table.
        os.rename(self.conf, self.conf + '.moved')
        self.assertEqual(self.vipd.reload(),
                         f'reload refused, the running table stays: errors in {self.conf}')
        self.assertEqual(self.vipd.vipadm('-S', '-n').stdout, table)
        os.rename(self.conf + '.moved', self.conf)
        # A good file afterwards is applied.
        self.write([('real3', 1)])
        self.assertTrue(self.vipd.reload().startswith('reloaded'))
        self.assertEqual(self.reals_listed(), [(f'{self.farm.ip("real3")}:{PORT}', '1')])

    def test_an_operators_drain_and_changes_survive_a_reload_and_a_file_edit_takes_effect(self):
        real1, real2 = (f'{self.farm.ip(r)}:{PORT}' for r in ('real1', 'real2'))
        self.vipd.vipadm('-e', '-t', self.service, '-r', real1, '-g', '-w', '0')  # a drain
        self.vipd.vipadm('-e', '-t', self.service, '-r', real2, '-g', '-w', '5')
        self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip('real3'), '-g')
        self.assertTrue(self.vipd.reload().startswith('reloaded'))  # the same file
        listed = dict(self.reals_listed())
        self.assertEqual(listed[real1], '0')
        self.assertEqual(listed[real2], '5')
        self.assertIn(f'{self.farm.ip("real3")}:{PORT}', listed)
        fresh = {self.farm.http_get(f'http://{self.service}/').strip() for _ in range(6)}
        self.assertNotIn('real1', fresh)
        listing = json.loads(self.vipd.vipadm('-L', '-n', '--json').stdout)
        origins = {r['address']: r['origin'] for r in listing['services'][0]['reals']}
        self.assertEqual(origins, {self.farm.ip('real1'): 'vipadm', self.farm.ip('real2'): 'vipadm',
                                   self.farm.ip('real3'): 'vipadm'})
        self.assertEqual(listing['services'][0]['origin'], 'file')
        # An edit of both reals in the file: real2's weight is the file's now, real1 stays drained.
        self.write([('real1', 4), ('real2', 2)])
        self.assertTrue(self.vipd.reload().startswith('reloaded'))
        listed = dict(self.reals_listed())
        self.assertEqual((listed[real1], listed[real2]), ('0', '2'))
        listing = json.loads(self.vipd.vipadm('-L', '-n', '--json').stdout)
        origins = {r['address']: r['origin'] for r in listing['services'][0]['reals']}
        self.assertEqual(origins[self.farm.ip('real2')], 'file')  # the file's edit took over
        # It all survives a restart too: the kept table, then the file as a reload.
        self.vipd.kill()
        self.vipd = Vipd(self.farm, extra_args=['--config', self.conf]).start()
        self.addCleanup(self.vipd.stop)
        self.assertEqual(dict(self.reals_listed()), listed)

    def test_a_changed_daemon_key_is_reported_as_needing_a_restart(self):
        # conn_table_size is set on vipd's command line, which outranks the file: no warning.
        self.write(None, '[vipd]\nhalf_open_size = 4096\nconn_table_size = 4096\n' +
                   service_toml(self.farm.vip, [(self.farm.ip('real1'), 1)]))
        self.assertTrue(self.vipd.reload().startswith('reloaded'))
        log = self.vipd.log()
        self.assertIn('reload: [vipd] half_open_size changed in ' + self.conf +
                      '; it needs a restart, the running value stays', log)
        self.assertNotIn('conn_table_size changed', log)
        self.assertIn('size=65536', self.vipd.vipadm('-L', '-n').stdout)
        self.assertEqual(self.reals_listed(), [(f'{self.farm.ip("real1")}:{PORT}', '1')])


if __name__ == '__main__':
    run_tests(__name__)
