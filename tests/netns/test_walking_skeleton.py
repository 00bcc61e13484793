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


class FarmWithVipd(unittest.TestCase):
    """One farm and one vipd for a whole class; each test starts from an empty table. vipd
    must exit 0 on SIGTERM at the end."""

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


class WalkingSkeleton(FarmWithVipd):
    """Traffic through the fast path: rotation, deletion, refusal."""

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


class VipadmAgainstVipd(FarmWithVipd):
    """vipadm's output, messages and exit codes against a running vipd, byte for byte, and the
    table unchanged after every refused command."""

    def setUp(self):
        super().setUp()
        self.vipd.vipadm('-A', '-t', self.service, '-s', 'rr')
        for real in ('real1', 'real2', 'real3'):
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g', '-w', '1')

    def test_listing_is_ipvsadms_byte_for_byte(self):
        expected = (
            'IP Virtual Server version 1.2.1 (size=65536)\n'
            'Prot LocalAddress:Port Scheduler Flags\n'
            '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n'
            'TCP  198.18.1.100:80 rr\n'
            '  -> 198.18.1.11:80               Route   1      0          0         \n'
            '  -> 198.18.1.12:80               Route   1      0          0         \n'
            '  -> 198.18.1.13:80               Route   1      0          0         \n')
        self.assertEqual(self.vipd.vipadm('-L', '-n').stdout, expected)
        self.assertEqual(self.vipd.vipadm('-Ln').stdout, expected)

    def test_refused_commands_print_ipvsadms_message_and_change_nothing(self):
        table = self.vipd.vipadm('-S', '-n').stdout
        vip, real1 = self.service, self.farm.ip('real1')
        cases = [
            (['-A', '-t', vip, '-s', 'rr'], 255, 'Service already exists\n'),
            (['-D', '-t', f'{self.farm.vip}:81'], 255, 'No such service\n'),
            (['-a', '-t', vip, '-r', real1, '-g'], 255, 'Destination already exists\n'),
            (['-a', '-t', f'{self.farm.vip}:81', '-r', real1], 255, 'Service not defined\n'),
            (['-d', '-t', vip, '-r', '198.18.1.99'], 255, 'No such destination\n'),
            (['-A', '-t', '198.18.1.300:80'], 2,
             'illegal virtual server address[:port] specified\n'),
            (['-a', '-t', vip, '-r', 'nonsense..'], 2,
             'illegal real server address[:port] specified\n'),
            (['-A', '-t', vip, '--bogus'], 255, '--bogus: unknown option\n'),
            (['--bogus'], 255, None),  # not a command: the Try line, checked below
            (['-L', '-n', '-t', f'{self.farm.vip}:81'], 1, 'No such service\n'),
            (['-A', '-f', '1'], 2, '-f/--fwmark-service: vipd has no firewall-mark services\n'),
            (['--start-daemon', 'master'], 2,
             '--start-daemon: vipd has no connection sync daemon\n'),
        ]
        for args, status, message in cases:
            with self.subTest(args=args):
                res = self.vipd.vipadm(*args, check=False)
                self.assertEqual(res.returncode, status, res.stderr)
                if message is not None:
                    self.assertEqual(res.stderr, message)
                else:
                    self.assertIn("--help' for more information.", res.stderr)
                self.assertEqual(self.vipd.vipadm('-S', '-n').stdout, table)

    def test_restore_with_a_wrong_line_changes_nothing(self):
        table = self.vipd.vipadm('-S', '-n').stdout
        rules = (f'-A -t {self.farm.vip}:81 -s rr\n'
                 f'-a -t {self.farm.vip}:81 -r {self.farm.ip("real1")} -g\n'
                 f'-A -t {self.farm.vip}\n'
                 f'-D -t {self.service}\n')
        res = self.vipd.vipadm('-R', stdin=rules, check=False)
        self.assertEqual(res.returncode, 2)
        self.assertEqual(res.stderr, 'line 3: Zero port specified for non-persistent service\n')
        self.assertEqual(self.vipd.vipadm('-S', '-n').stdout, table)
        self.assertEqual(self.vipd.vipadm('-L', '--daemon').stdout, '')

    def test_save_and_restore_round_trip(self):
        saved = self.vipd.vipadm('-S', '-n').stdout
        self.vipd.vipadm('-C')
        self.assertEqual(self.vipd.vipadm('-S', '-n').stdout, '')
        self.vipd.vipadm('-R', stdin=saved)
        self.assertEqual(self.vipd.vipadm('-S', '-n').stdout, saved)


class Lifecycle(unittest.TestCase):
    """What vipd leaves behind: nothing after a clean stop, and nothing when it refuses to start."""

    def test_sigterm_removes_everything_vipd_created(self):
        with Farm() as farm:
            vipd = Vipd(farm).start()
            vipd.vipadm('-A', '-t', f'{farm.vip}:{PORT}', '-s', 'rr')
            vipd.vipadm('-a', '-t', f'{farm.vip}:{PORT}', '-r', farm.ip('real1'), '-g')
            neigh = farm.run('director', ['ip', 'neigh', 'show', farm.ip('real1')]).stdout
            self.assertIn('managed', neigh)
            self.assertEqual(vipd.stop(), 0, vipd.log())
            link = farm.run('director', ['ip', '-d', 'link', 'show', 'dev',
                                         farm.interface('director')]).stdout
            self.assertNotIn('prog/xdp', link)
            self.assertFalse(os.path.exists(vipd.pin_dir), os.listdir(farm.bpffs))
            self.assertFalse(os.path.exists(vipd.socket))
            neigh = farm.run('director', ['ip', 'neigh', 'show', farm.ip('real1')]).stdout
            self.assertNotIn('managed', neigh)

    def test_the_configuration_file_is_applied_at_start(self):
        with Farm() as farm:
            rules = os.path.join(farm.tempdir, 'vipd.conf')
            with open(rules, 'w') as f:
                f.write(f'# the web farm\n[[service]]\nprotocol = "tcp"\n'
                        f'address = "{farm.vip}:{PORT}"\nscheduler = "rr"\n')
                for real in ('real1', 'real2'):
                    f.write(f'[[service.real]]\naddress = "{farm.ip(real)}:{PORT}"\n'
                            f'method = "route"\nweight = 1\n')
            vipd = Vipd(farm, extra_args=['--config', rules]).start()
            self.assertEqual(vipd.vipadm('-S', '-n').stdout,
                             f'-A -t {farm.vip}:{PORT} -s rr\n'
                             f'-a -t {farm.vip}:{PORT} -r {farm.ip("real1")}:{PORT} -g -w 1\n'
                             f'-a -t {farm.vip}:{PORT} -r {farm.ip("real2")}:{PORT} -g -w 1\n')
            answers = [farm.http_get(f'http://{farm.vip}:{PORT}/').strip() for _ in range(4)]
            self.assertEqual(answers, ['real2', 'real1'] * 2)

    def test_a_bad_configuration_file_is_refused_with_file_line_and_column(self):
        with Farm() as farm:
            rules = os.path.join(farm.tempdir, 'vipd.conf')
            with open(rules, 'w') as f:
                f.write(f'[[service]]\nprotocol = "tcp"\naddress = "{farm.vip}:{PORT}"\n'
                        f'scheduler = "rr"\n[[service.real]]\naddress = "198.18.1.300"\n')
            vipd = Vipd(farm, extra_args=['--config', rules])
            with self.assertRaises(RuntimeError) as refused:
                vipd.start(timeout=5)
            self.assertIn(f'{rules}:6:11: \'address\' = "198.18.1.300" is not ADDRESS[:PORT] '
                          'or [IPV6-ADDRESS][:PORT]', str(refused.exception))
            link = farm.run('director', ['ip', '-d', 'link', 'show', 'dev',
                                         farm.interface('director')]).stdout
            self.assertNotIn('prog/xdp', link)
            self.assertFalse(os.path.exists(vipd.pin_dir))

    def test_a_pin_directory_off_bpffs_is_refused_clearly(self):
        with Farm() as farm:
            vipd = Vipd(farm, pin_dir=os.path.join(farm.tempdir, 'pins'))
            with self.assertRaises(RuntimeError) as refused:
                vipd.start(timeout=5)
            self.assertIn('is not on a bpffs', str(refused.exception))
            link = farm.run('director', ['ip', '-d', 'link', 'show', 'dev',
                                         farm.interface('director')]).stdout
            self.assertNotIn('prog/xdp', link)


if __name__ == '__main__':
    run_tests(__name__)
