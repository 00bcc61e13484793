#!/usr/bin/env python3
"""The frozen order of the fast path's counters (docs/RESTART.md "Migrating pinned maps").

vipd_cnt is an array indexed by the counter enum (abi/vipd_counters.h). A vipd that finds a
shorter pinned counter array, a previous release's, carries its values over index by index, so a
counter's index must never change: new counters go at the end of the list. This test compares
the list with its frozen copy, tests/abi/counters.txt:

  counters.py check HEADER FROZEN    fails if the frozen names are not the list's beginning
  counters.py freeze HEADER FROZEN   appends the names the frozen copy lacks"""

import re
import sys


def names(header):
    with open(header) as f:
        return re.findall(r'^\s*X\((\w+),', f.read(), flags=re.M)


def frozen(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith('#')]


def main(argv):
    if len(argv) != 4 or argv[1] not in ('check', 'freeze'):
        print(__doc__, file=sys.stderr)
        return 2
    current, kept = names(argv[2]), frozen(argv[3])
    if current[:len(kept)] != kept:
        for i, name in enumerate(kept):
            if i >= len(current) or current[i] != name:
                print(f'counter {i} was {name}, is now '
                      f'{current[i] if i < len(current) else "gone"}: counters are only ever '
                      'appended (a pinned counter array is carried over by index)',
                      file=sys.stderr)
                return 1
    if argv[1] == 'freeze':
        with open(argv[3], 'a') as f:
            for name in current[len(kept):]:
                f.write(name + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
