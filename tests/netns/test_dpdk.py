#!/usr/bin/env python3
"""End to end: vipd with its DPDK fast path (--dataplane dpdk) in front of the farm's three nginx
reals (LVS-DR on one L2 segment), on a net_af_packet port bound to the director's eth0, without
NICs or hugepages: `--dpdk-eal "-l 0,1 --no-huge -m 1024 --no-pci --vdev
net_af_packet0,iface=eth0"`. Real HTTP traffic from the client namespace.

How the farm keeps the director's kernel out of it: an af_packet port is a tap, so the kernel
still receives every frame that DPDK receives. The VIP is therefore not configured on the
director (its kernel would answer a SYN to it with a RST, or accept the connection) and IPv4
forwarding is off there (a frame for an address that is not its own is dropped without an ICMP
error). vipd's workers answer ARP for the VIP. The reals' MACs come from the director's kernel,
which still owns eth0 and resolves them (vipd's managed neighbour entries), as in XDP mode.

Needs root and network namespaces. Without them it prints SKIPPED and exits 77, except under
CI=true, where that is a failure."""

import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import test_tunnel  # noqa: E402  (the module only: its test classes stay its own)
from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from vipd_farm import ClientSniffer, Vipd  # noqa: E402

PORT = 80
EAL = '-l 0,1 --no-huge -m 1024 --no-pci --no-shconf --no-telemetry ' \
      '--vdev net_af_packet0,iface=eth0'


def dpdk_farm(farm=None):
    """A farm (started here unless given) whose director's kernel neither owns nor answers for
    the VIP."""
    farm = farm or Farm().start()
    try:
        farm.run('director', ['ip', 'addr', 'del', f'{farm.vip}/32', 'dev', 'eth0'])
        farm.run('director', ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=0'])
    except BaseException:
        farm.close()
        raise
    return farm


def cpu_seconds(pid):
    """User and system time the process has used so far."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


class DpdkFarm(unittest.TestCase):
    """One farm and one DPDK vipd for the class; each test starts from an empty table. vipd must
    exit 0 on SIGTERM at the end."""

    @classmethod
    def setUpClass(cls):
        cls.farm = dpdk_farm()
        try:
            cls.vipd = Vipd(cls.farm, extra_args=['--dataplane', 'dpdk', '--dpdk-eal', EAL])
            cls.vipd.start(timeout=60)
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

    def add_farm(self, *reals, scheduler='rr'):
        self.vipd.vipadm('-A', '-t', self.service, '-s', scheduler)
        for real in reals:
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g')

    def fetch(self, n):
        return [self.farm.http_get(f'http://{self.service}/').strip() for _ in range(n)]

    def real_lines(self):
        """vipadm -L -n's lines of reals: {address: (weight, active, inactive)}."""
        out = {}
        for line in self.vipd.vipadm('-L', '-n').stdout.splitlines():
            parts = line.split()
            if parts and parts[0] == '->' and parts[1] != 'RemoteAddress:Port':
                out[parts[1].split(':')[0]] = tuple(int(p) for p in parts[3:6])
        return out

    def test_http_rotates_over_the_dr_reals_in_ipvs_order(self):
        self.add_farm('real1', 'real2', 'real3')
        earlier = self.connections()  # entries of earlier tests wait for their timeouts
        with ClientSniffer(self.farm) as sniffer:
            answers = self.fetch(30)
            seen = sniffer.result()
        self.assertEqual(answers, ['real3', 'real2', 'real1'] * 10)
        # Nothing but vipd answered: the director's kernel sent no RST for the VIP.
        self.assertEqual(seen['rst_from_vip'], 0, seen)
        # Every connection was counted on its real, read back through the DPDK tables.
        lines = self.real_lines()
        for real in ('real1', 'real2', 'real3'):
            weight, active, inactive = lines[self.farm.ip(real)]
            self.assertEqual(active + inactive, 10, lines)
        # And listed one by one from the connection tables, as /proc/net/ip_vs_conn lists them.
        self.assertEqual(len(self.connections() - earlier), 30)

    def connections(self):
        """The client addresses and ports of vipadm -L -n -c's TCP entries."""
        return {line.split()[3] for line in self.vipd.vipadm('-L', '-n', '-c').stdout.splitlines()
                if line.startswith('TCP ')}

    def test_vipd_answers_arp_for_the_vip(self):
        self.add_farm('real1')
        self.farm.run('client', ['ip', 'neigh', 'flush', 'dev', 'eth0'])
        self.assertEqual(self.fetch(1), ['real1'])
        neigh = self.farm.run('client', ['ip', 'neigh', 'show', self.farm.vip, 'dev', 'eth0'])
        self.assertIn(f'lladdr {self.farm.mac("director")}', neigh.stdout)

    def test_a_deleted_real_gets_no_new_connection_and_a_quiesced_one_neither(self):
        self.add_farm('real1', 'real2', 'real3')
        self.vipd.vipadm('-d', '-t', self.service, '-r', self.farm.ip('real2'))
        self.assertEqual(set(self.fetch(6)), {'real1', 'real3'})
        self.vipd.vipadm('-e', '-t', self.service, '-r', self.farm.ip('real3'), '-g', '-w', '0')
        self.assertEqual(self.fetch(4), ['real1'] * 4)

    def test_weighted_round_robin_spreads_by_weight(self):
        self.vipd.vipadm('-A', '-t', self.service, '-s', 'wrr')
        for real, weight in (('real1', '1'), ('real2', '2')):
            self.vipd.vipadm('-a', '-t', self.service, '-r', self.farm.ip(real), '-g', '-w',
                             weight)
        answers = self.fetch(30)
        self.assertEqual(answers.count('real2'), 20, answers)
        self.assertEqual(answers.count('real1'), 10, answers)

    def test_idle_workers_back_off(self):
        """With nothing to receive, the worker lcore sleeps between polls: a busy-polling one
        would use a whole CPU."""
        pid = self.vipd.proc.pid
        before = cpu_seconds(pid)
        time.sleep(4)
        used = cpu_seconds(pid) - before
        # Sleeping, the worker uses a few percent of a CPU; polling, all of one (half of it
        # measured with both CPUs busy compiling): a quarter lies far from both.
        self.assertLess(used, 1.0, f'vipd used {used} s of CPU in 4 s while idle')


class DpdkTwoWorkers(unittest.TestCase):
    """Two worker lcores on the two CPUs (--lcores maps three lcores onto them), each polling its
    own queue of the port (af_packet spreads flows over its queues by hash): the rr cursor and
    the counts are shared, so the choices are IPVS's as with one worker."""

    def test_rr_keeps_ipvs_order_across_two_workers(self):
        farm = dpdk_farm()
        try:
            eal = EAL.replace('-l 0,1', '--lcores 0@0,1@1,2@1') + ',qpairs=2'
            vipd = Vipd(farm, extra_args=['--dataplane', 'dpdk', '--dpdk-eal', eal])
            vipd.start(timeout=60)
            service = f'{farm.vip}:{PORT}'
            vipd.vipadm('-A', '-t', service, '-s', 'rr')
            for real in ('real1', 'real2', 'real3'):
                vipd.vipadm('-a', '-t', service, '-r', farm.ip(real), '-g')
            answers = [farm.http_get(f'http://{service}/').strip() for _ in range(30)]
            self.assertEqual(vipd.stop(), 0, vipd.log())
            self.assertEqual(answers, ['real3', 'real2', 'real1'] * 10)
            # Both workers forwarded: 30 flows all hashed to one queue would be a 1 in 2^29 event.
            received = [int(n) for n in re.findall(r'DPDK worker \d: received (\d+)', vipd.log())]
            self.assertEqual(len(received), 2, vipd.log())
            self.assertTrue(all(n > 0 for n in received), vipd.log())
        finally:
            farm.close()


class DpdkFamilies(unittest.TestCase):
    """IPv6, UDP and tunnelling through the DPDK fast path, on tests/netns/test_tunnel.py's farm
    (IPv6 beside IPv4, nginx on both, a UDP echo server and vipd-decap on every real). The IPv6
    VIP is kept off the director as the IPv4 one, with IPv6 forwarding off; vipd answers the
    client's neighbour solicitations for it."""

    @classmethod
    def setUpClass(cls):
        cls.farm = test_tunnel.TunnelFarm(os.environ['VIPD_DECAP_BIN']).start()
        try:
            dpdk_farm(cls.farm)
            cls.farm.run('director', ['ip', '-6', 'addr', 'del', f'{test_tunnel.VIP6}/128',
                                      'dev', 'eth0'])
            cls.farm.run('director', ['sysctl', '-q', '-w', 'net.ipv6.conf.all.forwarding=0'])
            cls.vipd = Vipd(cls.farm, extra_args=['--dataplane', 'dpdk', '--dpdk-eal', EAL])
            cls.vipd.start(timeout=60)
        except BaseException:
            cls.farm.close()
            raise

    @classmethod
    def tearDownClass(cls):
        status = cls.vipd.stop()
        log = cls.vipd.log()
        cls.farm.close()
        if status != 0:
            raise AssertionError(f'vipd exited with {status} on SIGTERM:\n{log}')

    def setUp(self):
        self.vipd.vipadm('-C')

    service = test_tunnel.Tunnelling.service
    fetch = test_tunnel.Tunnelling.fetch
    udp_ask = test_tunnel.Tunnelling.udp_ask

    def test_ipv6_http_over_dr_reals(self):
        svc = f'[{test_tunnel.VIP6}]:80'
        self.service('-t', svc, [f'[{self.farm.ip6(r)}]:80' for r in ('real1', 'real2')], '-g')
        self.assertEqual(self.fetch(f'http://{svc}/', 4), ['real2', 'real1'] * 2)
        neigh = self.farm.run('client', ['ip', '-6', 'neigh', 'show', test_tunnel.VIP6])
        self.assertIn(f'lladdr {self.farm.mac("director")}', neigh.stdout)

    def test_a_udp_echo_service_over_dr_reals(self):
        svc = f'{self.farm.vip}:{test_tunnel.UDP_PORT}'
        self.service('-u', svc, [self.farm.ip(r) for r in ('real1', 'real2', 'real3')], '-g')
        self.assertEqual(self.udp_ask('AF_INET', self.farm.vip, 6),
                         ['real3', 'real2', 'real1'] * 2)

    def test_http_tunnelled_4in4_and_6in4(self):
        svc = f'{self.farm.vip}:80'
        self.service('-t', svc, [self.farm.ip('real1'), self.farm.ip('real2')])
        self.assertEqual(self.fetch(f'http://{svc}/', 4), ['real2', 'real1'] * 2)
        svc6 = f'[{test_tunnel.VIP6}]:81'
        self.service('-t', svc6, [self.farm.ip('real2'), self.farm.ip('real3')])
        self.assertEqual(self.fetch(f'http://{svc6}/', 4), ['real3', 'real2'] * 2)


UNIT = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'configs', 'vipd-dpdk.service.in')


def unit_capabilities():
    """The CapabilityBoundingSet of configs/vipd-dpdk.service."""
    with open(UNIT) as f:
        [line] = re.findall(r'^CapabilityBoundingSet=(.*)$', f.read(), flags=re.M)
    return line.split()


def only(caps):
    """A command line run as root with the bounding set reduced to `caps`."""
    names = ''.join(',+' + c[len('CAP_'):].lower() for c in caps)
    return lambda argv: ['setpriv', '--inh-caps=-all', '--bounding-set=-all' + names, '--'] + \
        list(argv)


class DpdkUnitCapabilities(unittest.TestCase):
    """configs/vipd-dpdk.service's capabilities: vipd forwards under exactly that set, and
    without CAP_NET_ADMIN or CAP_NET_RAW refuses to start, naming it, with exit status 4."""

    @classmethod
    def setUpClass(cls):
        cls.farm = dpdk_farm()

    @classmethod
    def tearDownClass(cls):
        cls.farm.close()

    def vipd(self):
        return Vipd(self.farm, extra_args=['--dataplane', 'dpdk', '--dpdk-eal', EAL])

    def test_vipd_forwards_under_the_units_capabilities(self):
        vipd = self.vipd().start(timeout=60, wrap=only(unit_capabilities()))
        try:
            service = f'{self.farm.vip}:{PORT}'
            vipd.vipadm('-A', '-t', service, '-s', 'rr')
            vipd.vipadm('-a', '-t', service, '-r', self.farm.ip('real1'), '-g')
            self.assertEqual(self.farm.http_get(f'http://{service}/').strip(), 'real1')
        finally:
            self.assertEqual(vipd.stop(), 0, vipd.log())

    def test_without_each_needed_capability_vipd_refuses_to_start(self):
        for cap in ('CAP_NET_ADMIN', 'CAP_NET_RAW'):
            with self.subTest(cap=cap):
                caps = [c for c in unit_capabilities() if c != cap]
                res = self.farm.run('director', only(caps)(self.vipd().argv()), check=False,
                                    timeout=60)
                self.assertEqual(res.returncode, 4, res.stderr)
                self.assertIn(cap, res.stderr)


class DpdkRestart(unittest.TestCase):
    """A DPDK vipd cannot forward while it is down; a new one restores the kept table."""

    def test_a_restarted_vipd_restores_the_table_and_forwards_again(self):
        farm = dpdk_farm()
        try:
            args = ['--dataplane', 'dpdk', '--dpdk-eal', EAL]
            vipd = Vipd(farm, extra_args=args).start(timeout=60)
            service = f'{farm.vip}:{PORT}'
            vipd.vipadm('-A', '-t', service, '-s', 'rr')
            for real in ('real1', 'real2'):
                vipd.vipadm('-a', '-t', service, '-r', farm.ip(real), '-g')
            self.assertEqual(vipd.stop(), 0, vipd.log())
            again = Vipd(farm, extra_args=args).start(timeout=60)
            try:
                answers = [farm.http_get(f'http://{service}/').strip() for _ in range(4)]
                self.assertEqual(answers, ['real2', 'real1'] * 2)
            finally:
                self.assertEqual(again.stop(), 0, again.log())
        finally:
            farm.close()


if __name__ == '__main__':
    run_tests(__name__)
