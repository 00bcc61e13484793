#!/usr/bin/env python3
"""The frozen layouts of the fast path's maps (docs/RESTART.md, "The anchor").

Every map vipd pins carries its layout version in its name (vipd_reals_v1). A vipd that finds
maps of another version migrates or refuses them, so a layout that changes without a new version
would be read by the next vipd as the old one: a silent reinterpretation of live tables. This
test renders each map's type, key and value from the BTF of the built program (what the kernel
itself sees) and compares it with the frozen copy in tests/abi/layouts/<map>.txt:

  layouts.py check OBJ DIR     fails, naming the map, if a layout differs from its frozen copy
                               or a map has no frozen copy
  layouts.py freeze OBJ DIR    writes the frozen copy of every map that has none (never
                               rewrites one: a released layout stays as it was)

A change of a key or value struct therefore needs the table's next version in VIPD_TABLE_LIST
(abi/vipd_maps.h) and `freeze` for the new name; the old file stays, for the migration test."""

import json
import os
import subprocess
import sys

BPFTOOL = os.environ.get('BPFTOOL', 'bpftool')


def btf_types(obj):
    out = subprocess.run([BPFTOOL, '-j', 'btf', 'dump', 'file', obj], capture_output=True,
                         text=True, check=True).stdout
    return {t['id']: t for t in json.loads(out)['types']}


def render(types, type_id, indent=''):
    """A type as text: what its bytes mean, names and offsets included; typedefs and
    qualifiers see through to what they name."""
    if type_id == 0:
        return 'void'
    t = types[type_id]
    kind = t['kind']
    if kind in ('TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG'):
        return render(types, t['type_id'], indent)
    if kind == 'INT':
        return f"{t['name']} ({t['size']} bytes, {t.get('encoding', '(none)')})"
    if kind == 'ENUM':
        return f"enum {t['name']} ({t['size']} bytes)"
    if kind == 'PTR':
        return 'pointer to ' + render(types, t['type_id'], indent)
    if kind == 'ARRAY':
        return f"{t['nr_elems']} x " + render(types, t['type_id'], indent)
    if kind in ('STRUCT', 'UNION'):
        lines = [f"{kind.lower()} {t['name']} ({t['size']} bytes)"]
        for m in t['members']:
            lines.append(f"{indent}  @{m['bits_offset'] // 8}"
                         f"{'.' + str(m['bits_offset'] % 8) if m['bits_offset'] % 8 else ''}"
                         f" {m['name']}: " + render(types, m['type_id'], indent + '  '))
        return '\n'.join(lines)
    return f"{kind} {t.get('name', '')}"


def map_layouts(obj):
    """{map name: its frozen form}: the map's type, key and value (not max_entries, which the
    size options set and a start checks on its own)."""
    types = btf_types(obj)
    out = {}
    for t in types.values():
        if t['kind'] != 'DATASEC' or t['name'] != '.maps':
            continue
        for v in t['vars']:
            var = types[v['type_id']]
            members = {m['name']: m['type_id'] for m in types[var['type_id']]['members']}
            text = [f"map {var['name']}"]
            for field in ('type', 'key', 'value', 'key_size', 'value_size', 'map_flags'):
                if field in members:
                    text.append(f'{field}: ' + render(types, members[field]))
            out[var['name']] = '\n'.join(text) + '\n'
    return out


def main(argv):
    if len(argv) != 4 or argv[1] not in ('check', 'freeze'):
        print(__doc__, file=sys.stderr)
        return 2
    mode, obj, frozen_dir = argv[1:]
    layouts = map_layouts(obj)
    if not layouts:
        print(f'no maps found in {obj}', file=sys.stderr)
        return 1
    failures = []
    for name, text in sorted(layouts.items()):
        path = os.path.join(frozen_dir, name + '.txt')
        if not os.path.exists(path):
            if mode == 'freeze':
                with open(path, 'w') as f:
                    f.write(text)
                print(f'froze {path}')
            else:
                failures.append(f'{name}: no frozen layout ({path}); a new table or version '
                                f'needs `layouts.py freeze`')
            continue
        with open(path) as f:
            if f.read() != text:
                failures.append(f'{name}: its layout differs from the frozen {path}; a layout '
                                f'change needs the table\'s next version in VIPD_TABLE_LIST')
    for line in failures:
        print(line, file=sys.stderr)
    if not failures:
        print(f'{len(layouts)} maps match their frozen layouts')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
