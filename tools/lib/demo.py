"""The demo behind tools/demo: a web farm of network namespaces, vipd with its XDP fast path in
the director's namespace, configured with vipadm as an LVS-DR operator would, and traffic."""

import os
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'netns'))

from farm import Farm  # noqa: E402
from vipd_farm import Vipd, counter_deltas  # noqa: E402

REQUESTS = 12


# node_exporter's IPVS series under vipd_, and the health checker's verdict once it reports.
METRICS_SHOWN = ('vipd_connections_total', 'vipd_incoming_packets_total',
                 'vipd_backend_connections_inactive', 'vipd_backend_weight', 'vipd_real_up')


def show(title, text=''):
    print(f'\n--- {title}')
    if text:
        print(text.rstrip('\n'))


def main():
    with Farm() as farm:
        vipd = Vipd(farm).start()
        service = f'{farm.vip}:80'
        show('farm', f'client {farm.ip("client")}, director {farm.ip("director")} '
                     f'(VIP {farm.vip}), reals ' +
             ', '.join(f'{r} {farm.ip(r)}' for r in farm.reals))
        commands = [['-A', '-t', service, '-s', 'rr']]
        commands += [['-a', '-t', service, '-r', farm.ip(r), '-g', '-w', '1'] for r in farm.reals]
        show('configuration')
        for args in commands:
            print('vipadm ' + ' '.join(args))
            vipd.vipadm(*args)
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
        vipd.vipadm('-d', '-t', service, '-r', farm.ip('real2'))
        show('after vipadm -d of real2', ', '.join(
            farm.http_get(f'http://{service}/').strip() for _ in range(4)))
        show('a live scrape of http://127.0.0.1:19100/metrics (a few lines; docs/METRICS.md)',
             '\n'.join(line for line in vipd.scrape().splitlines()
                       if line.startswith(METRICS_SHOWN)))
        vipd.stop()
    print('\nfarm removed.')


if __name__ == '__main__':
    main()
