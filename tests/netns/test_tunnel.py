#!/usr/bin/env python3
"""End to end: tunnelling (-i). The farm's reals run vipd-decap on their interface with the VIP
on lo; vipd encapsulates the client's packets to them (4in4, 6in6, 4in6, 6in4) and the reals
answer the client directly, over the segment they share with it. The client's MTU leaves room
for the outer header (40 bytes at most) on the way to the reals.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import os
import subprocess
import sys
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import farm as farm_module  # noqa: E402
from farm import Farm, _run  # noqa: E402
from netns_main import run_tests  # noqa: E402
from vipd_farm import Vipd, counter_deltas  # noqa: E402

VIP6 = '2001:db8::100'
CLIENT_MTU = 1400  # + 40 bytes of outer IPv6 header fits the reals' 1500
UDP_PORT = 53

# Answers each datagram with the real's name, from the address it was sent to (the VIP), as a
# DNS server bound to the VIP would; one socket per family.
_UDP_ECHO = textwrap.dedent('''\
    import select, socket, sys
    name, vip4, vip6, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    socks = []
    for family, vip in ((socket.AF_INET, vip4), (socket.AF_INET6, vip6)):
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind((vip, port))
        socks.append(s)
    print('ready', flush=True)
    while True:
        for s in select.select(socks, [], [])[0]:
            data, peer = s.recvfrom(2048)
            s.sendto(name.encode() + b' ' + data, peer)
''')


def ip6(index):
    """IPv6 address of a node, beside its IPv4 one: real1 is 2001:db8::11."""
    return f'2001:db8::{index}'


class TunnelFarm(Farm):
    """The farm with IPv6 beside IPv4 (no router advertisements, no duplicate address
    detection), the VIPs of both families on the reals' lo, nginx listening on ports 80 and 81
    of both, vipd-decap on every real's eth0, and the client's MTU lowered."""

    def __init__(self, decap_bin, **kwargs):
        super().__init__(**kwargs)
        self.decap_bin = decap_bin
        self.vip6 = VIP6
        self._ip6 = {'client': ip6(10), 'director': ip6(2)}
        self._ip6.update({r: ip6(10 + i) for i, r in enumerate(self.reals, 1)})

    def ip6(self, role):
        return self._ip6[role]

    def _add_netns(self, node):
        super()._add_netns(node)
        self.run(node.role, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=0',
                             'net.ipv6.conf.default.disable_ipv6=0',
                             'net.ipv6.conf.default.accept_ra=0',
                             'net.ipv6.conf.default.accept_dad=0'])

    def _connect(self, node):
        super()._connect(node)
        if node.role in self._ip6:
            _run(['ip', '-n', node.netns, 'addr', 'add', f'{self._ip6[node.role]}/64', 'dev',
                  farm_module.INTERFACE, 'nodad'])

    def _configure_client(self):
        super()._configure_client()
        self.run('client', ['ip', 'link', 'set', farm_module.INTERFACE, 'mtu', str(CLIENT_MTU)])

    def _configure_director(self):
        super()._configure_director()
        _run(['ip', '-n', self.ns('director'), 'addr', 'add', f'{VIP6}/128', 'dev',
              farm_module.INTERFACE, 'nodad'])

    def _configure_real(self, role):
        """As the farm's real, plus: the IPv6 VIP on lo, nginx on [::]:80 and both families'
        port 81 (the mixed-family services), checksum offload off, vipd-decap attached."""
        super()._configure_real(role)
        _run(['ip', '-n', self.ns(role), 'addr', 'add', f'{VIP6}/128', 'dev', 'lo', 'nodad'])
        conf = os.path.join(self.tempdir, role, 'nginx.conf')
        with open(conf, encoding='ascii') as f:
            text = f.read()
        text = text.replace('listen 0.0.0.0:80;', 'listen 0.0.0.0:80; listen [::]:80 ipv6only=on; '
                            'listen 0.0.0.0:81; listen [::]:81 ipv6only=on;')
        with open(conf, 'w', encoding='ascii') as f:
            f.write(text)
        self.run(role, ['ethtool', '-K', farm_module.INTERFACE, 'tx', 'off'])
        self.run(role, [self.decap_bin, 'attach', farm_module.INTERFACE])
        udp = self.popen(role, [sys.executable, '-c', _UDP_ECHO, role, self.vip, VIP6,
                                str(UDP_PORT)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, text=True)
        if udp.stdout.readline().strip() != 'ready':
            raise farm_module.FarmError(f'{role}: UDP echo server did not start')
        udp.stdout.close()  # it prints nothing more


class Tunnelling(unittest.TestCase):
    """One farm and one vipd; each test starts from an empty table."""

    @classmethod
    def setUpClass(cls):
        cls.farm = TunnelFarm(os.environ['VIPD_DECAP_BIN']).start()
        try:
            cls.vipd = Vipd(cls.farm).start()
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

    def service(self, flag, service, reals, method='-i'):
        self.vipd.vipadm('-A', flag, service, '-s', 'rr')
        for real in reals:
            self.vipd.vipadm('-a', flag, service, '-r', real, method)

    def fetch(self, url, n):
        return [self.farm.http_get(url).strip() for _ in range(n)]

    def assert_tunnelled(self, before, at_least):
        moved = counter_deltas(before, self.vipd.counters())
        self.assertGreaterEqual(moved.get('INFO_TUNNELLED', 0), at_least, moved)
        drops = {k: v for k, v in moved.items() if k.startswith('DROP_')}
        self.assertEqual(drops, {})

    def test_ipv4_http_through_ipip_and_a_routed_real_beside_them(self):
        svc = f'{self.farm.vip}:80'
        self.service('-t', svc, [self.farm.ip('real1'), self.farm.ip('real2')])
        self.vipd.vipadm('-a', '-t', svc, '-r', self.farm.ip('real3'), '-g')
        listing = self.vipd.vipadm('-L', '-n').stdout
        self.assertIn(f'{self.farm.ip("real1")}:80               Tunnel', listing)
        self.assertIn(f'{self.farm.ip("real3")}:80               Route', listing)
        before = self.vipd.counters()
        answers = self.fetch(f'http://{svc}/', 9)
        self.assertEqual(answers, ['real3', 'real2', 'real1'] * 3)
        self.assert_tunnelled(before, 6 * 3)  # at least SYN, ACK, request of each -i fetch

    def test_ipv6_http_through_ip6ip6(self):
        svc = f'[{VIP6}]:80'
        self.service('-t', svc, [f'[{self.farm.ip6("real1")}]:80', f'[{self.farm.ip6("real2")}]:80'])
        before = self.vipd.counters()
        self.assertEqual(self.fetch(f'http://{svc}/', 4), ['real2', 'real1'] * 2)
        self.assert_tunnelled(before, 4 * 3)

    def test_an_ipv4_service_with_ipv6_reals_goes_4in6(self):
        svc = f'{self.farm.vip}:81'
        self.service('-t', svc, [f'[{self.farm.ip6("real1")}]:81', f'[{self.farm.ip6("real3")}]:81'])
        before = self.vipd.counters()
        self.assertEqual(self.fetch(f'http://{svc}/', 4), ['real3', 'real1'] * 2)
        self.assert_tunnelled(before, 4 * 3)

    def test_an_ipv6_service_with_ipv4_reals_goes_6in4(self):
        svc = f'[{VIP6}]:81'
        self.service('-t', svc, [self.farm.ip('real2'), self.farm.ip('real3')])
        before = self.vipd.counters()
        self.assertEqual(self.fetch(f'http://{svc}/', 4), ['real3', 'real2'] * 2)
        self.assert_tunnelled(before, 4 * 3)

    def udp_ask(self, family, vip, n):
        """n datagrams, each from a new socket (a new flow); the real named by each answer."""
        probe = textwrap.dedent(f'''\
            import socket
            for i in range({n}):
                s = socket.socket(socket.{family}, socket.SOCK_DGRAM)
                s.settimeout(3)
                s.sendto(b'q%d' % i, ('{vip}', {UDP_PORT}))
                print(s.recvfrom(2048)[0].decode().split()[0])
        ''')
        return self.farm.run('client', [sys.executable, '-c', probe]).stdout.split()

    def test_one_packet_scheduling_spreads_one_sockets_datagrams(self):
        """-o: 30 datagrams from one client socket go round the reals, each counted as a
        connection and none kept."""
        svc = f'{self.farm.vip}:{UDP_PORT}'
        self.vipd.vipadm('-A', '-u', svc, '-s', 'rr', '-o')
        for r in ('real1', 'real2', 'real3'):
            self.vipd.vipadm('-a', '-u', svc, '-r', self.farm.ip(r), '-g')
        self.assertRegex(self.vipd.vipadm('-L', '-n').stdout, r'UDP\s+\S+:53 rr ops')
        probe = textwrap.dedent(f'''\
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(3)
            for i in range(30):
                s.sendto(b'q%d' % i, ('{self.farm.vip}', {UDP_PORT}))
                print(s.recvfrom(2048)[0].decode().split()[0])
            print(s.getsockname()[1])
        ''')
        answers = self.farm.run('client', [sys.executable, '-c', probe]).stdout.split()
        client = f'{self.farm.ip("client")}:{answers.pop()}'
        self.assertEqual(answers, ['real3', 'real2', 'real1'] * 10)
        stats = self.vipd.vipadm('-L', '-n', '--stats').stdout
        self.assertRegex(stats, rf'UDP\s+{self.farm.vip}:{UDP_PORT}\s+30\s')
        conns = [l for l in self.vipd.vipadm('-L', '-n', '-c').stdout.splitlines()
                 if l.startswith('UDP') and client in l.split()]
        self.assertEqual(conns, [])  # (earlier tests' flows may still be listed)

    def test_a_udp_echo_service_answers_from_each_real_in_turn(self):
        svc = f'{self.farm.vip}:{UDP_PORT}'
        self.service('-u', svc, [self.farm.ip(r) for r in ('real1', 'real2', 'real3')])
        before = self.vipd.counters()
        self.assertEqual(self.udp_ask('AF_INET', self.farm.vip, 6), ['real3', 'real2', 'real1'] * 2)
        self.assert_tunnelled(before, 6)
        svc6 = f'[{VIP6}]:{UDP_PORT}'
        self.service('-u', svc6, [f'[{self.farm.ip6("real1")}]:{UDP_PORT}', self.farm.ip('real2')])
        self.assertEqual(self.udp_ask('AF_INET6', VIP6, 4), ['real2', 'real1'] * 2)

    def test_full_sized_segments_fit_with_the_outer_header(self):
        """A 200 kB upload: the client's full-sized segments, 40 bytes larger once tunnelled,
        still fit the reals' MTU (veth drops a frame larger than its peer's MTU)."""
        svc = f'[{VIP6}]:81'
        self.service('-t', svc, [self.farm.ip('real1')])  # 6in4: 20 bytes more
        svc4 = f'{self.farm.vip}:81'
        self.service('-t', svc4, [f'[{self.farm.ip6("real2")}]:81'])  # 4in6: 40 bytes more
        for url, real in ((f'http://{svc}/', 'real1'), (f'http://{svc4}/', 'real2')):
            out = self.farm.run('client', ['sh', '-c', 'head -c 200000 /dev/zero | curl --silent '
                                           '--show-error --fail --noproxy "*" --max-time 10 '
                                           f'--data-binary @- {url}'], timeout=20).stdout
            self.assertEqual(out.strip(), real)

    def decap(self, role, *args):
        return self.farm.run(role, [self.farm.decap_bin] + list(args), check=False)

    def test_vipd_decap_detaches_its_own_program_and_leaves_others_alone(self):
        status = self.decap('real1', 'status', 'eth0')
        self.assertEqual((status.returncode, status.stdout.split()[:3]),
                         (0, ['eth0:', 'vipd_decap', 'attached']))
        self.assertEqual(self.decap('real1', 'detach', 'eth0').returncode, 0)
        self.assertEqual(self.decap('real1', 'status', 'eth0').returncode, 3)
        self.assertEqual(self.decap('real1', 'detach', 'eth0').returncode, 1)
        self.assertEqual(self.decap('real1', 'attach', 'eth0').returncode, 0)
        self.assertEqual(self.decap('real1', 'attach', 'eth0').returncode, 0)  # replaced
        # The farm's xdp_pass on the director's switch port is not vipd's to replace or remove.
        port = self.farm.switch_port('director')
        for command in ('attach', 'detach'):
            refused = self.decap('switch', command, port)
            self.assertEqual(refused.returncode, 1, refused.stderr)
            self.assertIn('xdp_pass', refused.stderr)
        self.assertIn('xdp_pass', self.farm.run('switch', ['ip', 'link', 'show', port]).stdout +
                      self.farm.run('switch', ['bpftool', 'net', 'show', 'dev', port]).stdout)
        self.assertEqual(self.decap('real1', 'bogus', 'eth0').returncode, 2)

    def test_the_client_sees_answers_from_the_vip_not_the_real(self):
        """The replies' source is the VIP: a connected socket would reject anything else."""
        svc = f'{self.farm.vip}:80'
        self.service('-t', svc, [self.farm.ip('real1')])
        probe = textwrap.dedent(f'''\
            import socket
            s = socket.create_connection(('{self.farm.vip}', 80), timeout=3)
            s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')
            print(s.getpeername()[0], s.recv(4096).decode().split()[-1])
        ''')
        out = self.farm.run('client', [sys.executable, '-c', probe]).stdout.split()
        self.assertEqual(out, [self.farm.vip, 'real1'])


if __name__ == '__main__':
    run_tests(__name__)
