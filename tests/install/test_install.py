#!/usr/bin/env python3
"""`meson install` into a temporary DESTDIR: vipd, vipadm, the systemd unit, the example
configuration and the three man pages land where they belong; every man page renders with
`man -l` without a warning; the installed unit passes `systemd-analyze verify` (which also
finds its Documentation= pages) with no complaint; the example configuration passes `vipd -t`.

Needs meson, man and systemd-analyze; no privileges."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ['VIPD_BUILD_ROOT']
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def meson_dirs():
    """prefix, sbindir, bindir, mandir, datadir and the unit directory of the build."""
    out = subprocess.run(['meson', 'introspect', '--buildoptions', BUILD],
                         capture_output=True, text=True, check=True).stdout
    opts = {o['name']: o['value'] for o in json.loads(out)}
    prefix = opts['prefix']
    unitdir = opts['systemdsystemunitdir'] or os.path.join(prefix, 'lib', 'systemd', 'system')
    return {name: os.path.join(prefix, opts[name])
            for name in ('sbindir', 'bindir', 'mandir', 'datadir')} | {'unitdir': unitdir}


class Install(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.dest = tempfile.mkdtemp(prefix='vipd-install-')
        res = subprocess.run(['meson', 'install', '-C', BUILD, '--no-rebuild', '--quiet',
                              '--destdir', cls.dest], capture_output=True, text=True)
        if res.returncode != 0:
            shutil.rmtree(cls.dest, ignore_errors=True)
            raise AssertionError(f'meson install failed: {res.stdout}{res.stderr}')
        cls.dirs = meson_dirs()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dest, ignore_errors=True)

    def installed(self, directory, *names):
        path = os.path.join(self.dest + self.dirs[directory], *names)
        self.assertTrue(os.path.isfile(path), f'{path} was not installed')
        return path

    def test_the_binaries_are_installed_and_run(self):
        for directory, name in (('sbindir', 'vipd'), ('bindir', 'vipadm')):
            path = self.installed(directory, name)
            self.assertTrue(os.access(path, os.X_OK))
        res = subprocess.run([self.installed('sbindir', 'vipd'), '--version'],
                             capture_output=True, text=True)
        self.assertEqual(res.returncode, 0)
        self.assertTrue(res.stdout.startswith('vipd '))

    def test_every_man_page_renders_without_a_warning(self):
        for section, page, name in (('man8', 'vipd.8', 'vipd'), ('man8', 'vipadm.8', 'vipadm'),
                                    ('man5', 'vipd.conf.5', 'vipd.conf')):
            with self.subTest(page=page):
                path = self.installed('mandir', section, page)
                res = subprocess.run(['man', '--warnings', '-l', path], capture_output=True,
                                     text=True, env=dict(os.environ, MANWIDTH='80'))
                self.assertEqual(res.returncode, 0, res.stderr)
                self.assertEqual(res.stderr, '')
                self.assertRegex(res.stdout, rf'NAME\n\s+{re.escape(name)} ')

    def test_the_units_name_the_installed_vipd_and_pass_systemd_analyze_verify(self):
        for name in ('vipd.service', 'vipd-dpdk.service'):
            with self.subTest(unit=name):
                self.check_unit(name)

    def check_unit(self, name):
        unit = self.installed('unitdir', name)
        with open(unit) as f:
            text = f.read()
        vipd = os.path.join(self.dirs['sbindir'], 'vipd')
        for key in ('ExecStartPre', 'ExecStart', 'ExecReload'):
            self.assertRegex(text, rf'(?m)^{key}={re.escape(vipd)} ')
        self.assertNotRegex(text, r'@\w+@', 'every @VARIABLE@ substituted')
        # verify wants the commands to exist: point them at the DESTDIR's vipd.
        check_dir = tempfile.mkdtemp(prefix='vipd-unit-')
        self.addCleanup(shutil.rmtree, check_dir, True)
        with open(os.path.join(check_dir, name), 'w') as f:
            f.write(text.replace(vipd + ' ', self.dest + vipd + ' '))
        env = dict(os.environ, MANPATH=self.dest + self.dirs['mandir'])
        res = subprocess.run(['systemd-analyze', 'verify', os.path.join(check_dir, name)],
                             capture_output=True, text=True, env=env)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(res.stderr, '', 'no unknown key, no missing man page')

    def test_the_example_configuration_is_installed_and_valid(self):
        path = self.installed('datadir', 'doc', 'vipd', 'examples', 'vipd.conf')
        with open(path) as a, open(os.path.join(SOURCE, 'configs', 'vipd.conf')) as b:
            self.assertEqual(a.read(), b.read())
        res = subprocess.run([self.installed('sbindir', 'vipd'), '-t', '--config', path],
                             capture_output=True, text=True)
        self.assertEqual(res.returncode, 0, res.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
