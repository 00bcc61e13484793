"""The demo behind tools/demo: a web farm of network namespaces, vipd with its XDP fast path in
the director's namespace, configured with vipadm as an LVS-DR operator would, and traffic."""

import json
import os
import sys
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'netns'))

from farm import Farm  # noqa: E402
from vipd_farm import Vipd, counter_deltas  # noqa: E402

REQUESTS = 12

# The service and its health check come from vipd.conf; vipadm adds the reals, which get the
# service's check as every real does.
CONFIG = '''[[service]]
protocol = "tcp"
address = "{service}"
scheduler = "rr"

  [[service.check]]
  type = "http"
  path = "/"
  interval = 1.0
  timeout = 0.5
  delay_before_retry = 0.5
  rise = 2
  fall = 3
'''


# node_exporter's IPVS series under vipd_, and the health checker's verdict once it reports.
METRICS_SHOWN = ('vipd_connections_total', 'vipd_incoming_packets_total',
                 'vipd_backend_connections_inactive', 'vipd_backend_weight', 'vipd_real_up')


def show(title, text=''):
    print(f'\n--- {title}')
    if text:
        print(text.rstrip('\n'))


def main():
    with Farm() as farm:
        service = f'{farm.vip}:80'
        conf = os.path.join(farm.tempdir, 'vipd.conf')
        with open(conf, 'w') as f:
            f.write(CONFIG.format(service=service))
        vipd = Vipd(farm, extra_args=['--config', conf]).start()
        show('farm', f'client {farm.ip("client")}, director {farm.ip("director")} '
                     f'(VIP {farm.vip}), reals ' +
             ', '.join(f'{r} {farm.ip(r)}' for r in farm.reals))
        show('vipd.conf', CONFIG.format(service=service))
        commands = [['-a', '-t', service, '-r', farm.ip(r), '-g', '-w', '1'] for r in farm.reals]
        show('configuration')
        for args in commands:
            print('vipadm ' + ' '.join(args))
            vipd.vipadm(*args)
        wait_listed(vipd, len(farm.reals))
        show('the reals passed their first check', health_lines(vipd))
        before = vipd.counters()
        show(f'{REQUESTS} HTTP requests from the client, a new connection each')
        answers = []
        for i in range(REQUESTS):
            answer = farm.http_get(f'http://{service}/').strip()
            answers.append(answer)
            print(f'request {i + 1:2}: answered by {answer}')
        spread = Counter(answers)
        print('spread: ' + ', '.join(f'{r} {spread[r]}' for r in farm.reals))
        show('vipadm -L -n', vipd.vipadm('-L', '-n').stdout)
        print('(closed connections wait in FIN_WAIT, counted in InActConn, until the FIN timeout)')
        show('vipadm -L -n -c (first lines)',
             '\n'.join(vipd.vipadm('-L', '-n', '-c').stdout.splitlines()[:6]))
        moved = counter_deltas(before, vipd.counters())
        show('fast-path counters during the requests',
             '\n'.join(f'{name:24} {value}' for name, value in sorted(moved.items())))
        health_demo(farm, vipd, service)
        vipd.vipadm('-d', '-t', service, '-r', farm.ip('real2'))
        show('after vipadm -d of real2', ', '.join(
            farm.http_get(f'http://{service}/').strip() for _ in range(4)))
        show('a live scrape of http://127.0.0.1:19100/metrics (a few lines; docs/METRICS.md)',
             '\n'.join(line for line in vipd.scrape().splitlines()
                       if line.startswith(METRICS_SHOWN)))
        vipd.stop()
    print('\nfarm removed.')


def listed(vipd):
    return [line.split()[1] for line in vipd.vipadm('-L', '-n').stdout.splitlines()
            if line.lstrip().startswith('->') and 'Forward' not in line]


def wait_listed(vipd, n, timeout=30):
    deadline = time.monotonic() + timeout
    while len(listed(vipd)) != n and time.monotonic() < deadline:
        time.sleep(0.1)


def health_lines(vipd):
    reals = json.loads(vipd.vipadm('-L', '-n', '--json').stdout)['services'][0]['reals']
    return '\n'.join(f"{r['address']}: {r['health']['state']}, last result "
                     f"{r['health']['lastResult']}"
                     + (f", went down for {r['health']['reason']} ({r['health']['detail']})"
                        if r['health']['reason'] else '') for r in reals)


def health_log(vipd, seen):
    lines = [line for line in vipd.log().splitlines() if ' real ' in line and ' of TCP ' in line]
    return '\n'.join(lines[seen:]), len(lines)


def health_demo(farm, vipd, service):
    """real2's server stops: it leaves the table with the reason; restarted, it comes back."""
    _, seen = health_log(vipd, 0)
    farm.stop_real('real2')
    show('real2\'s nginx stopped; waiting for its checks (interval 1 s, fall 3)')
    wait_listed(vipd, len(farm.reals) - 1)
    text, seen = health_log(vipd, seen)
    show('vipd logged', text)
    show('vipadm -L -n (real2 is out)', vipd.vipadm('-L', '-n').stdout)
    show('health (vipadm -L -n --json)', health_lines(vipd))
    show('6 requests', ', '.join(farm.http_get(f'http://{service}/').strip() for _ in range(6)))
    farm.start_real('real2')
    show('real2\'s nginx started again; waiting for rise 2')
    wait_listed(vipd, len(farm.reals))
    text, seen = health_log(vipd, seen)
    show('vipd logged', text)
    show('6 requests', ', '.join(farm.http_get(f'http://{service}/').strip() for _ in range(6)))


if __name__ == '__main__':
    main()
