#!/usr/bin/env python3
"""End to end: NAT (-m) in a two-segment farm. The client's segment (br0) holds the client and
the director's eth0 with the VIPs; the reals sit on a private segment (br1) behind the
director's eth1, their default route through the director. vipd rewrites each request to the
real's address and port (8080 for HTTP, 5353 for the UDP echo, where the services are on 80 and
53) and each reply back to the VIP and the service's port, sent toward the director's default
gateway, which here is the client itself (it stands for the router to the clients). The client
sees the VIP as the source of every answer; the connection listing follows both directions.

    client 198.18.0.10/24      director eth0 198.18.0.2/24 + VIPs     eth1 198.18.1.1/24
           2001:db8::10/64              2001:db8::2/64                     2001:db8:1::1/64
        | br0 |--------------------------|                                 | br1 |-- realN
                                                                   198.18.1.1N, 2001:db8:1::1N

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import os
import re
import subprocess
import sys
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import farm as farm_module  # noqa: E402
from farm import Farm, _run  # noqa: E402
from netns_main import run_tests  # noqa: E402
from vipd_farm import Vipd, counter_deltas  # noqa: E402

VIP = '198.18.2.100'
VIP6 = '2001:db8:2::100'
HTTP_REAL_PORT = 8080
UDP_PORT, UDP_REAL_PORT = 53, 5353
BACK = 'eth1'  # the director's interface on the private segment
BACK_BRIDGE = 'br1'
# A real of the client's segment, for direct routing beside NAT: it has the VIP on lo and
# answers the client itself (its default route goes to the client, the segment's router).
DR_REAL = 'real4'

# Answers each datagram with the real's name, from the wildcard address: the reply leaves with
# the real's own address as its source, which the director turns back into the VIP.
_UDP_ECHO = textwrap.dedent('''\
    import select, socket, sys
    name, port = sys.argv[1], int(sys.argv[2])
    socks = []
    for family, any_addr in ((socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::')):
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # for the stray test's sender
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((any_addr, port))
        socks.append(s)
    print('ready', flush=True)
    while True:
        for s in select.select(socks, [], [])[0]:
            data, peer = s.recvfrom(2048)
            s.sendto(name.encode() + b' ' + data, peer)
''')

# Asks n times, each from a new socket (a new flow), and prints the answering real and the
# address the answer came from.
_UDP_ASK = textwrap.dedent('''\
    import socket, sys
    family, vip, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    for i in range(n):
        s = socket.socket(getattr(socket, family), socket.SOCK_DGRAM)
        s.settimeout(3)
        s.sendto(b'q%d' % i, (vip, port))
        data, peer = s.recvfrom(2048)
        print(data.decode().split()[0], peer[0], peer[1])
''')

# Holds one TCP connection open until told to close it, so that the listing can be read with
# the connection established, then after the close.
_HOLD = textwrap.dedent('''\
    import socket, sys
    family, vip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    s = socket.socket(getattr(socket, family), socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((vip, port))
    s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')
    body = b''
    while not body.endswith(b'\\n') or b'\\r\\n\\r\\n' not in body:
        body += s.recv(4096)
    print('peer', s.getpeername()[0], body.split(b'\\r\\n\\r\\n', 1)[1].decode().strip(),
          s.getsockname()[1], flush=True)
    sys.stdin.readline()
    s.close()
    print('closed', flush=True)
''')


def real_ip6(index):
    return f'2001:db8:1::1{index}'


class NatFarm(Farm):
    """The farm with the reals moved to a second bridge behind the director's eth1, /24 (and
    /64) subnets instead of one /15, default routes through the director (reals) and through
    the client (director), nginx on 8080 and a UDP echo on 5353 on every real."""

    def __init__(self, **kwargs):
        super().__init__(vip=VIP, reals=4, **kwargs)

    def _add_netns(self, node):
        super()._add_netns(node)
        if node.role != 'switch':
            self.run(node.role, ['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=0',
                                 'net.ipv6.conf.default.disable_ipv6=0',
                                 'net.ipv6.conf.default.accept_ra=0',
                                 'net.ipv6.conf.default.accept_dad=0'])

    def _build_switch(self):
        super()._build_switch()
        sw = self.ns('switch')
        _run(['ip', '-n', sw, 'link', 'add', BACK_BRIDGE, 'type', 'bridge', 'stp_state', '0'])
        _run(['ip', '-n', sw, 'link', 'set', BACK_BRIDGE, 'up'])

    def _connect(self, node):
        sw = self.ns('switch')
        if node.role == DR_REAL:
            self._veth(node.netns, farm_module.INTERFACE, self.switch_port(node.role),
                       farm_module.BRIDGE)
            self._address(node.netns, farm_module.INTERFACE, '198.18.0.14/24', '2001:db8::14/64')
            return
        if node.role in self.reals:
            index = int(node.role[len('real'):])
            self._veth(node.netns, farm_module.INTERFACE, self.switch_port(node.role), BACK_BRIDGE)
            self._address(node.netns, farm_module.INTERFACE, f'198.18.1.1{index}/24',
                          f'{real_ip6(index)}/64')
            return
        self._veth(node.netns, farm_module.INTERFACE, self.switch_port(node.role),
                   farm_module.BRIDGE)
        own = '10' if node.role == 'client' else '2'
        self._address(node.netns, farm_module.INTERFACE, f'198.18.0.{own}/24',
                      f'2001:db8::{own}/64')
        if node.role == 'director':
            self._veth(node.netns, BACK, 'p-director1', BACK_BRIDGE)
            self._address(node.netns, BACK, '198.18.1.1/24', '2001:db8:1::1/64')
            _run(['ip', '-n', sw, 'link', 'set', 'dev', 'p-director1', 'xdpdrv', 'obj',
                  self.xdp_pass_obj, 'sec', 'xdp'])

    def _veth(self, netns, name, port, bridge):
        sw = self.ns('switch')
        _run(['ip', '-n', netns, 'link', 'add', name, 'type', 'veth', 'peer', 'name', port,
              'netns', sw])
        _run(['ip', '-n', sw, 'link', 'set', port, 'master', bridge, 'up'])
        _run(['ip', '-n', netns, 'link', 'set', name, 'up'])

    @staticmethod
    def _address(netns, dev, v4, v6):
        _run(['ip', '-n', netns, 'addr', 'add', v4, 'dev', dev])
        _run(['ip', '-n', netns, 'addr', 'add', v6, 'dev', dev, 'nodad'])

    def ip(self, role):
        if role == DR_REAL:
            return '198.18.0.14'
        if role in self.reals:
            return f'198.18.1.1{int(role[len("real"):])}'
        return {'client': '198.18.0.10', 'director': '198.18.0.2'}[role]

    def ip6(self, role):
        return real_ip6(int(role[len('real'):]))

    def _configure_client(self):
        super()._configure_client()
        self.run('client', ['ip', 'route', 'add', VIP, 'via', '198.18.0.2'])
        self.run('client', ['ip', '-6', 'route', 'add', VIP6, 'via', '2001:db8::2'])

    def _configure_director(self):
        d = self.ns('director')
        _run(['ip', '-n', d, 'addr', 'add', f'{VIP}/32', 'dev', farm_module.INTERFACE])
        _run(['ip', '-n', d, 'addr', 'add', f'{VIP6}/128', 'dev', farm_module.INTERFACE, 'nodad'])
        _run(['ip', '-n', d, 'route', 'add', 'default', 'via', '198.18.0.10'])
        _run(['ip', '-n', d, '-6', 'route', 'add', 'default', 'via', '2001:db8::10'])
        _run(['ip', '-n', self.ns('switch'), 'link', 'set', 'dev', self.switch_port('director'),
              'xdpdrv', 'obj', self.xdp_pass_obj, 'sec', 'xdp'])

    def _configure_real(self, role):
        """The VIP on lo (NAT needs none, but direct routing does, and it harms no NAT real);
        the default route through the director (the client, for the DR real), nginx on 80 and
        8080, the UDP echo, checksum offload off."""
        super()._configure_real(role)
        r = self.ns(role)
        gateways = ('198.18.0.10', '2001:db8::10') if role == DR_REAL else \
            ('198.18.1.1', '2001:db8:1::1')
        _run(['ip', '-n', r, 'route', 'add', 'default', 'via', gateways[0]])
        _run(['ip', '-n', r, '-6', 'route', 'add', 'default', 'via', gateways[1]])
        conf = os.path.join(self.tempdir, role, 'nginx.conf')
        with open(conf, encoding='ascii') as f:
            text = f.read()
        text = text.replace('listen 0.0.0.0:80;', f'listen 0.0.0.0:80; listen 0.0.0.0:'
                            f'{HTTP_REAL_PORT}; listen [::]:{HTTP_REAL_PORT} ipv6only=on;')
        with open(conf, 'w', encoding='ascii') as f:
            f.write(text)
        self.run(role, ['ethtool', '-K', farm_module.INTERFACE, 'tx', 'off'])
        udp = self.popen(role, [sys.executable, '-c', _UDP_ECHO, role, str(UDP_REAL_PORT)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
        if udp.stdout.readline().strip() != 'ready':
            raise farm_module.FarmError(f'{role}: UDP echo server did not start')
        udp.stdout.close()


class Nat(unittest.TestCase):
    """One farm and one vipd on both of the director's interfaces; each test starts from an
    empty table."""

    @classmethod
    def setUpClass(cls):
        cls.farm = NatFarm().start()
        try:
            cls.vipd = Vipd(cls.farm, extra_args=['--interface', BACK]).start()
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

    def service(self, flag, service, reals, method='-m'):
        self.vipd.vipadm('-A', flag, service, '-s', 'rr')
        for real in reals:
            self.vipd.vipadm('-a', flag, service, '-r', real, method)

    def assert_natted(self, before, requests, replies):
        moved = counter_deltas(before, self.vipd.counters())
        self.assertGreaterEqual(moved.get('INFO_NAT_REQUEST', 0), requests, moved)
        self.assertGreaterEqual(moved.get('INFO_NAT_REPLY', 0), replies, moved)
        drops = {k: v for k, v in moved.items() if k.startswith('DROP_')}
        self.assertEqual(drops, {})

    def fetch(self, url, n):
        """n GETs; each answer's body and the address curl connected to."""
        out = []
        for _ in range(n):
            text = self.farm.run('client', ['curl', '--silent', '--show-error', '--fail',
                                            '--noproxy', '*', '--max-time', '5', '-w',
                                            ' %{remote_ip}', url], timeout=15).stdout
            out.append(tuple(text.split()))
        return out

    def test_ipv4_http_to_a_real_port_other_than_the_services(self):
        svc = f'{VIP}:80'
        self.service('-t', svc, [f'{self.farm.ip(r)}:{HTTP_REAL_PORT}'
                                 for r in ('real1', 'real2')])
        listing = self.vipd.vipadm('-L', '-n').stdout
        self.assertRegex(listing, rf'{re.escape(self.farm.ip("real1"))}:{HTTP_REAL_PORT}\s+Masq')
        before = self.vipd.counters()
        self.assertEqual(self.fetch(f'http://{svc}/', 4),
                         [('real2', VIP), ('real1', VIP)] * 2)
        self.assert_natted(before, 4 * 3, 4 * 2)

    def test_ipv6_http(self):
        svc = f'[{VIP6}]:80'
        self.service('-t', svc, [f'[{self.farm.ip6(r)}]:{HTTP_REAL_PORT}'
                                 for r in ('real1', 'real3')])
        before = self.vipd.counters()
        self.assertEqual(self.fetch(f'http://{svc}/', 4),
                         [('real3', VIP6), ('real1', VIP6)] * 2)
        self.assert_natted(before, 4 * 3, 4 * 2)

    def udp_ask(self, family, vip, n):
        out = self.farm.run('client', [sys.executable, '-c', _UDP_ASK, family, vip,
                                       str(UDP_PORT), str(n)]).stdout
        return [tuple(line.split()) for line in out.splitlines()]

    def test_udp_echo_answers_from_the_vip_and_the_services_port(self):
        self.service('-u', f'{VIP}:{UDP_PORT}', [f'{self.farm.ip(r)}:{UDP_REAL_PORT}'
                                                  for r in ('real1', 'real2', 'real3')])
        self.service('-u', f'[{VIP6}]:{UDP_PORT}', [f'[{self.farm.ip6(r)}]:{UDP_REAL_PORT}'
                                                     for r in ('real1', 'real2')])
        before = self.vipd.counters()
        self.assertEqual(self.udp_ask('AF_INET', VIP, 6),
                         [(r, VIP, str(UDP_PORT)) for r in ('real3', 'real2', 'real1')] * 2)
        self.assertEqual(self.udp_ask('AF_INET6', VIP6, 4),
                         [(r, VIP6, str(UDP_PORT)) for r in ('real2', 'real1')] * 2)
        self.assert_natted(before, 10, 10)

    def connection_line(self, client):
        """The listing's line of the connection from `client` (address:port)."""
        lines = [l for l in self.vipd.vipadm('-L', '-n', '-c').stdout.splitlines()
                 if l.startswith('TCP') and l.split()[3] == client]
        self.assertEqual(len(lines), 1, lines)
        return lines[0].split()

    def counts(self, real):
        for line in self.vipd.vipadm('-L', '-n').stdout.splitlines():
            fields = line.split()
            if len(fields) >= 6 and fields[1].startswith(real + ':'):
                return int(fields[4]), int(fields[5])
        self.fail(f'{real} is not listed')

    def test_states_and_counts_follow_both_directions(self):
        real = self.farm.ip('real1')
        self.service('-t', f'{VIP}:80', [f'{real}:{HTTP_REAL_PORT}'])
        hold = self.farm.popen('client', [sys.executable, '-c', _HOLD, 'AF_INET', VIP, '80'],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            peer = hold.stdout.readline().split()
            self.assertEqual(peer[:3], ['peer', VIP, 'real1'])
            client = f'{self.farm.ip("client")}:{peer[3]}'
            line = self.connection_line(client)
            self.assertEqual(line[2], 'ESTABLISHED', line)  # the real's SYN-ACK was seen too
            self.assertEqual(line[5], f'{real}:{HTTP_REAL_PORT}', line)
            self.assertEqual(self.counts(real), (1, 0))
            hold.stdin.write('\n')
            hold.stdin.flush()
            self.assertEqual(hold.stdout.readline().strip(), 'closed')
        finally:
            hold.stdin.close()
            hold.wait(10)
            hold.stdout.close()
        # The client closes first: its FIN (input) makes CLOSE_WAIT, the real's FIN (output)
        # TIME_WAIT, which only a director that sees the real's side reaches.
        deadline = time.monotonic() + 5
        while self.connection_line(client)[2] != 'TIME_WAIT' and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(self.connection_line(client)[2], 'TIME_WAIT')
        self.assertEqual(self.counts(real), (0, 1))

    def test_route_and_masq_reals_in_one_service(self):
        """A -g real of the client's segment beside a -m real of the private one: each answers
        in turn, both from the VIP."""
        svc = f'{VIP}:80'
        self.service('-t', svc, [f'{self.farm.ip("real1")}:{HTTP_REAL_PORT}'])
        self.vipd.vipadm('-a', '-t', svc, '-r', self.farm.ip(DR_REAL), '-g')
        listing = self.vipd.vipadm('-L', '-n').stdout
        self.assertRegex(listing, rf'{re.escape(self.farm.ip(DR_REAL))}:80\s+Route')
        self.assertRegex(listing, rf'{re.escape(self.farm.ip("real1"))}:{HTTP_REAL_PORT}\s+Masq')
        self.assertEqual(self.fetch(f'http://{svc}/', 4), [(DR_REAL, VIP), ('real1', VIP)] * 2)

    def test_a_port_unreachable_from_a_real_reaches_the_clients_socket(self):
        """Nothing listens on the real's port: its ICMP error, rewritten to come from the VIP
        and to quote the datagram as the client sent it, is matched by the client's kernel to
        the connected socket, which reports the refusal."""
        self.service('-u', f'{VIP}:{UDP_PORT + 1}', [f'{self.farm.ip("real1")}:{UDP_REAL_PORT + 1}'])
        before = self.vipd.counters()
        probe = textwrap.dedent(f'''\
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(3)
            s.connect(('{VIP}', {UDP_PORT + 1}))
            s.send(b'anyone?')
            try:
                s.recv(2048)
                print('answered')
            except ConnectionRefusedError:
                print('refused')
            except socket.timeout:
                print('timeout')
        ''')
        self.assertEqual(self.farm.run('client', [sys.executable, '-c', probe]).stdout.strip(),
                         'refused')
        moved = counter_deltas(before, self.vipd.counters())
        self.assertEqual(moved.get('INFO_NAT_ICMP', 0), 1, moved)

    def test_a_packet_from_a_nat_real_without_a_connection_goes_to_the_kernel(self):
        self.service('-u', f'{VIP}:{UDP_PORT}', [f'{self.farm.ip("real1")}:{UDP_REAL_PORT}'])
        before = self.vipd.counters()
        # From the echo server's own address and port (it allows a second socket on it), to
        # the client, with no connection to answer: the real's own traffic.
        self.farm.run('real1', [sys.executable, '-c', textwrap.dedent(f'''\
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            s.bind(('0.0.0.0', {UDP_REAL_PORT}))
            s.sendto(b'stray', ('198.18.0.10', 9))
        ''')], check=False)
        moved = counter_deltas(before, self.vipd.counters())
        self.assertGreaterEqual(moved.get('PASS_NAT_NO_CONN', 0), 1, moved)


if __name__ == '__main__':
    run_tests(__name__)
