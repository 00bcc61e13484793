#!/usr/bin/env python3
"""End to end: vipd's /metrics. A live scrape passes `promtool check metrics`; its values match
the traffic the client sent (connections, packets, bytes, to the packet) and agree with
`vipadm -L -n --stats --exact` read at the same moment; a real Prometheus server (Debian's)
scrapes vipd while traffic flows and answers PromQL queries with the per-real connection counts;
a deleted real's and service's series disappear while the totals never fall; a metrics address
that cannot be bound stops the start before anything is touched.

Needs root, network namespaces and BPF. Without them it prints SKIPPED and exits 77, except
under CI=true, where that is a failure."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from farm import Farm  # noqa: E402
from netns_main import run_tests  # noqa: E402
from vipd_farm import ClientSniffer, Vipd  # noqa: E402

PORT = 80
METRICS = '127.0.0.1:19100'  # vipd's default
TOTALS = ('vipd_connections_total', 'vipd_incoming_packets_total', 'vipd_incoming_bytes_total',
          'vipd_outgoing_packets_total', 'vipd_outgoing_bytes_total')
SAMPLE = re.compile(r'^(\w+)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """Samples of an exposition: {(name, ((label, value), ...)): value}."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise AssertionError(f'not a sample line: {line!r}')
        labels = tuple(sorted(LABEL.findall(m.group(2) or '')))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(samples, name, **labels):
    """The one sample of `name` whose labels include `labels`."""
    found = [v for (n, ls), v in samples.items()
             if n == name and all((k, str(want)) in ls for k, want in labels.items())]
    if len(found) != 1:
        raise AssertionError(f'{name}{labels}: {len(found)} samples')
    return found[0]


def stats_listing(text):
    """`vipadm -L -n --stats --exact`: {'TCP 198.18.1.100:80': (conns, inpkts, outpkts, inbytes,
    outbytes), '-> 198.18.1.11:80': (...), ...} (reals keyed by service and address)."""
    out, service = {}, None
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 7 and fields[0] in ('TCP', 'UDP'):
            service = f'{fields[0]} {fields[1]}'
            out[service] = tuple(int(f) for f in fields[2:])
        elif len(fields) == 7 and fields[0] == '->' and service:
            out[f'{service} -> {fields[1]}'] = tuple(int(f) for f in fields[2:])
    return out


class Metrics(unittest.TestCase):
    """One farm, one vipd with an rr service over three reals; the tests run in name order."""

    @classmethod
    def setUpClass(cls):
        cls.farm = Farm().start()
        cls.vipd = Vipd(cls.farm).start()
        cls.service = f'{cls.farm.vip}:{PORT}'
        cls.vipd.vipadm('-A', '-t', cls.service, '-s', 'rr')
        for real in cls.farm.reals:
            cls.vipd.vipadm('-a', '-t', cls.service, '-r', f'{cls.farm.ip(real)}:{PORT}', '-g')

    @classmethod
    def tearDownClass(cls):
        cls.vipd.stop()
        cls.farm.close()

    def scrape(self):
        return parse(self.vipd.scrape(METRICS))

    def requests(self, n, pause=0.0):
        for _ in range(n):
            self.farm.http_get(f'http://{self.service}/')
            time.sleep(pause)

    def wait_for_packets(self, before, sent, timeout=10.0):
        """Scrapes until the packets counted reach `sent` more than `before` had (the client's
        last ACK may still be on its way when curl returns), then returns that scrape."""
        deadline = time.monotonic() + timeout
        while True:
            now = self.scrape()
            moved = value(now, 'vipd_incoming_packets_total') - \
                value(before, 'vipd_incoming_packets_total')
            if moved >= sent or time.monotonic() > deadline:
                return now
            time.sleep(0.1)

    def test_1_a_scrape_is_clean_and_counts_the_traffic_to_the_packet(self):
        before = self.scrape()
        with ClientSniffer(self.farm) as sniffer:
            self.requests(6)
            time.sleep(0.5)  # the connections' last ACKs are counted by the sniffer too
            sent = sniffer.result()
        after = self.wait_for_packets(before, sent['to_vip'])
        delta = {name: value(after, name) - value(before, name) for name in TOTALS}
        self.assertEqual(delta, {'vipd_connections_total': 6,
                                 'vipd_incoming_packets_total': sent['to_vip'],
                                 'vipd_incoming_bytes_total': sent['bytes_to_vip'],
                                 'vipd_outgoing_packets_total': 0,
                                 'vipd_outgoing_bytes_total': 0})
        svc = dict(local_address=self.farm.vip, local_port=PORT, proto='TCP')
        self.assertEqual(value(after, 'vipd_service_connections_total', **svc), 6)
        self.assertEqual(value(after, 'vipd_service_incoming_packets_total', **svc),
                         sent['to_vip'])
        self.assertEqual(value(after, 'vipd_service_incoming_bytes_total', **svc),
                         sent['bytes_to_vip'])
        for real in self.farm.reals:
            backend = dict(svc, local_mark='', remote_address=self.farm.ip(real),
                           remote_port=PORT)
            self.assertEqual(value(after, 'vipd_real_connections_total', **backend), 2, real)
            self.assertEqual(value(after, 'vipd_backend_weight', **backend), 1, real)
            # closed connections wait in FIN_WAIT: inactive, as in IPVS
            self.assertEqual(value(after, 'vipd_backend_connections_active', **backend), 0)
            self.assertEqual(value(after, 'vipd_backend_connections_inactive', **backend), 2)
        self.assertEqual(value(after, 'vipd_connection_entries'), 6)
        self.assertEqual(value(after, 'vipd_connection_table_size', table='established'), 65536)
        moved = value(after, 'vipd_fastpath_events_total', event='new_connection') - \
            value(before, 'vipd_fastpath_events_total', event='new_connection')
        self.assertEqual(moved, 6)
        forwarded = dict(outcome='tx', reason='forwarded')
        self.assertEqual(value(after, 'vipd_fastpath_packets_total', **forwarded) -
                         value(before, 'vipd_fastpath_packets_total', **forwarded),
                         sent['to_vip'])
        self.assertEqual(value(after, 'vipd_build_info', version=self.version()), 1)

    def version(self):
        res = subprocess.run([self.vipd.vipd_bin, '--version'], capture_output=True, text=True)
        return res.stdout.split()[-1]

    def test_1_promtool_check_metrics_finds_no_problem(self):
        text = self.vipd.scrape(METRICS)
        res = subprocess.run(['promtool', 'check', 'metrics'], input=text, capture_output=True,
                             text=True, timeout=30)
        self.assertEqual((res.returncode, res.stdout, res.stderr), (0, '', ''), text)
        for line in ('# TYPE vipd_connections_total counter',
                     '# HELP vipd_backend_weight The current backend weight by local and remote '
                     'address.'):
            self.assertIn(line, text)

    def test_2_the_counters_agree_with_vipadm_stats(self):
        self.requests(3)
        time.sleep(0.5)  # no traffic between the two readings
        samples = self.scrape()
        listing = stats_listing(self.vipd.vipadm('-L', '-n', '--stats', '--exact').stdout)
        key = f'TCP {self.service}'
        svc = dict(local_address=self.farm.vip, local_port=PORT, proto='TCP')
        self.assertEqual(listing[key], (
            value(samples, 'vipd_service_connections_total', **svc),
            value(samples, 'vipd_service_incoming_packets_total', **svc),
            value(samples, 'vipd_service_outgoing_packets_total', **svc),
            value(samples, 'vipd_service_incoming_bytes_total', **svc),
            value(samples, 'vipd_service_outgoing_bytes_total', **svc)))
        for real in self.farm.reals:
            backend = dict(svc, remote_address=self.farm.ip(real))
            self.assertEqual(listing[f'{key} -> {self.farm.ip(real)}:{PORT}'], (
                value(samples, 'vipd_real_connections_total', **backend),
                value(samples, 'vipd_real_incoming_packets_total', **backend),
                value(samples, 'vipd_real_outgoing_packets_total', **backend),
                value(samples, 'vipd_real_incoming_bytes_total', **backend),
                value(samples, 'vipd_real_outgoing_bytes_total', **backend)), real)

    def test_3_a_prometheus_server_scrapes_vipd_while_traffic_flows(self):
        prometheus = PrometheusServer(self.farm, target=METRICS).start()
        self.addCleanup(prometheus.stop)
        before = self.scrape()
        expected = {self.farm.ip(real): value(before, 'vipd_real_connections_total',
                                              remote_address=self.farm.ip(real)) + 4
                    for real in self.farm.reals}
        prometheus.wait_until(lambda: prometheus.query('sum(up{job="vipd"})') == {(): 1.0})
        self.requests(12, pause=0.25)  # over several of its scrapes
        by_real = 'sum by (remote_address) (vipd_real_connections_total{job="vipd"})'

        def seen():
            return {dict(k).get('remote_address'): v for k, v in prometheus.query(by_real).items()}
        prometheus.wait_until(lambda: seen() == expected)
        self.assertEqual(seen(), expected)
        self.assertEqual(prometheus.query('sum(vipd_connections_total{job="vipd"})'),
                         {(): value(self.scrape(), 'vipd_connections_total')})
        # the rate Prometheus computes over the traffic is positive for every real
        rates = prometheus.query('sum by (remote_address) '
                                 '(increase(vipd_real_connections_total[1m])) > 0')
        self.assertEqual({dict(k)['remote_address'] for k in rates}, set(expected))

    def test_4_deleted_series_disappear_and_the_totals_never_fall(self):
        before = self.scrape()
        real2 = self.farm.ip('real2')
        self.vipd.vipadm('-d', '-t', self.service, '-r', f'{real2}:{PORT}')
        samples = self.scrape()
        self.assertEqual([k for k in samples if ('remote_address', real2) in k[1]], [])
        self.assertEqual(value(samples, 'vipd_backend_weight',
                               remote_address=self.farm.ip('real1')), 1)
        self.vipd.vipadm('-D', '-t', self.service)
        samples = self.scrape()
        self.assertEqual([k for k in samples
                          if k[0].startswith(('vipd_backend_', 'vipd_service_', 'vipd_real_'))], [])
        for name in TOTALS:
            self.assertEqual(value(samples, name), value(before, name), name)
        # the service again, under a new id or its old one: the totals still do not fall
        self.vipd.vipadm('-A', '-t', self.service, '-s', 'rr')
        self.vipd.vipadm('-a', '-t', self.service, '-r', f'{real2}:{PORT}', '-g')
        self.requests(1)
        samples = self.wait_for_packets(before, 1)
        self.assertEqual(value(samples, 'vipd_connections_total'),
                         value(before, 'vipd_connections_total') + 1)

    def test_5_a_metrics_address_that_cannot_be_bound_stops_the_start(self):
        holder = self.farm.popen('director', [sys.executable, '-c', HOLD_PORT, '19199'],
                                 stdout=subprocess.PIPE, text=True)
        self.addCleanup(holder.stdout.close)
        self.addCleanup(holder.kill)
        self.assertEqual(holder.stdout.readline().strip(), 'bound')
        other = Vipd(self.farm, pin_dir=os.path.join(self.farm.bpffs, 'other'),
                     socket_path=os.path.join(self.farm.tempdir, 'other.sock'),
                     state_dir=os.path.join(self.farm.tempdir, 'other-state'),
                     extra_args=['--metrics-address', '127.0.0.1:19199'])
        res = other.run_to_exit()
        self.assertEqual(res.returncode, 1, res.stderr)
        self.assertIn('metrics address 127.0.0.1:19199: cannot bind: Address already in use',
                      res.stderr)
        self.assertFalse(os.path.exists(other.pin_dir))  # nothing was touched
        # and the vipd that runs keeps serving its metrics
        self.assertIn('vipd_build_info', self.vipd.scrape(METRICS))


HOLD_PORT = '''
import socket, sys, time
s = socket.socket()
s.bind(('127.0.0.1', int(sys.argv[1])))
s.listen()
print('bound', flush=True)
time.sleep(600)
'''


class PrometheusServer:
    """Debian's prometheus in the director's namespace, on loopback, with a configuration of
    its own (scrape every second) and its own storage in the farm's temporary directory."""

    def __init__(self, farm, target):
        self.farm = farm
        self.target = target
        self.dir = os.path.join(farm.tempdir, 'prometheus')
        self.address = f'127.0.0.1:{free_port()}'
        self.proc = None

    def start(self, timeout=60.0):
        binary = shutil.which('prometheus')
        if binary is None:
            raise AssertionError('prometheus missing: tools/lib/deps.sh installs it')
        os.makedirs(os.path.join(self.dir, 'data'))
        config = os.path.join(self.dir, 'prometheus.yml')
        with open(config, 'w') as f:
            f.write('global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n'
                    'scrape_configs:\n  - job_name: vipd\n    static_configs:\n'
                    f'      - targets: ["{self.target}"]\n')
        self.log = open(os.path.join(self.dir, 'log'), 'w')
        self.proc = self.farm.popen('director', [
            binary, f'--config.file={config}', f'--storage.tsdb.path={self.dir}/data',
            f'--web.listen-address={self.address}', '--log.level=warn'],
            stdout=self.log, stderr=self.log)
        self.wait_until(self.ready, timeout)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()

    def get(self, path):
        res = self.farm.run('director', ['curl', '--silent', '--noproxy', '*', '--max-time', '5',
                                         f'http://{self.address}{path}'], check=False)
        return res.stdout if res.returncode == 0 else None

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f'prometheus exited {self.proc.returncode}: '
                                 f'{open(self.log.name).read()}')
        return self.get('/-/ready') is not None

    def query(self, promql):
        """An instant query through the HTTP API: {labels as a sorted tuple: value}."""
        body = self.get('/api/v1/query?query=' + urllib.parse.quote(promql))
        if body is None:
            return None
        data = json.loads(body)
        if data['status'] != 'success':
            raise AssertionError(f'{promql}: {data}')
        return {tuple(sorted(r['metric'].items())): float(r['value'][1])
                for r in data['data']['result']}

    def wait_until(self, condition, timeout=60.0):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return
            time.sleep(0.25)


def free_port():
    """A loopback port free now in this namespace; the director's loopback is its own, so a
    port free here is free there unless its own processes take it."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


if __name__ == '__main__':
    run_tests(__name__)
