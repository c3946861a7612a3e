#!/usr/bin/env python3
"""The documents generated from the option table, and the hand-written ones, cover it.

The completions and the man page are generated from the same table as --help; this test
catches a generator that skips options or a table entry the generators cannot express.  The
README and docs/config.example.yaml are written by hand; this test catches them falling
behind the table:

  * every option of `gmfetch --help` (and its short form) appears in each completion file,
    in the man page and in README.md;
  * every option settable in the config file ("Settable there:" in --help) appears in the
    man page as GMFETCH_<NAME> and as a key (possibly commented out) in
    docs/config.example.yaml;
  * every exit status of --help is in the man page's EXIT STATUS section and in README.md.

Usage: options_docs.py GMFETCH BASH ZSH FISH MAN
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def env_name(name):
    return 'GMFETCH_' + re.sub(r'[-.]', '_', name.upper())


def main():
    gmfetch, bash, zsh, fish, man = sys.argv[1:6]
    help_text = subprocess.run([gmfetch, '--help'], check=True, capture_output=True,
                               text=True, timeout=30, env=dict(os.environ, HOME='/nonexistent',
                                                               XDG_CONFIG_HOME='')).stdout
    flags = re.findall(r'^  (?:-(\w), )?-{1,2}([A-Za-z][\w.-]*)', help_text, re.M)
    names = [n for _, n in flags]
    shorts = [s for s, _ in flags if s]
    if len(names) < 10:
        print(f'only {len(names)} options found in --help:\n{help_text}')
        return 1
    m = re.search(r'^Settable there:\n((?:  .*\n)+)', help_text, re.M)
    settable = m.group(1).split() if m else []
    m = re.search(r'^Exit status:\n((?:  .*\n)+)', help_text, re.M)
    codes = re.findall(r'^  (\d+) ', m.group(1), re.M) if m else []
    if len(settable) < 10 or len(codes) < 4:
        print(f'settable names {settable} or exit codes {codes} not found in --help')
        return 1

    docs = {p: open(p, encoding='utf-8').read() for p in (bash, zsh, fish, man)}
    readme_path = os.path.join(ROOT, 'README.md')
    example_path = os.path.join(ROOT, 'docs', 'config.example.yaml')
    readme = open(readme_path, encoding='utf-8').read()
    example = open(example_path, encoding='utf-8').read()
    failed = 0

    def missing(what, where):
        nonlocal failed
        print(f'{what} is missing from {where}')
        failed += 1

    for name in names:
        for path, text in docs.items():
            # roff writes '-' as '\-'
            needle = name.replace('-', r'\-') if path == man else name
            # The name right after a dash (-json, \-\-jobs) or a quote (fish's -l 'jobs').
            if not re.search(r"(?<=[-'])" + re.escape(needle) + r'(?![\w.-])', text):
                missing(f'option -{name}', path)
        if not re.search(r'(?<![\w-])--?' + re.escape(name) + r'(?![\w.-])', readme):
            missing(f'option -{name}', readme_path)
    for s in shorts:
        patterns = {bash: r'(?<![\w-])-' + s + r'\b', zsh: r'(?<![\w-])-' + s + r'\b',
                    fish: r' -s ' + s + r'\b', man: r'\\-' + s + r'\\fR'}
        for path, pat in patterns.items():
            if not re.search(pat, docs[path]):
                missing(f'short option -{s}', path)
    for name in settable:
        if env_name(name).replace('-', r'\-') not in docs[man]:
            missing(env_name(name), man)
        if not re.search(r'^(?:# )?' + re.escape(name) + r':', example, re.M):
            missing(f'config key {name}', example_path)
    exit_section = docs[man].split('.SH EXIT STATUS', 1)[-1].split('.SH ', 1)[0]
    for code in codes:
        if not re.search(r'^' + code + r'$', exit_section, re.M):
            missing(f'exit status {code}', man + ' (EXIT STATUS)')
        if not re.search(r'`' + code + r'`', readme):
            missing(f'exit status `{code}`', readme_path)
    print(f'{len(names)} options, {len(shorts)} short forms, {len(settable)} settable names, '
          f'{len(codes)} exit statuses checked: {failed} missing')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
