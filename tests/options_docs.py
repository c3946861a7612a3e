#!/usr/bin/env python3
"""Every option of `gmfetch --help` appears in each generated completion and in the man page.

The completions and the man page are generated from the same table as --help; this test
catches a generator that skips options or a table entry the generators cannot express.
Usage: options_docs.py GMFETCH BASH ZSH FISH MAN
"""
import re
import subprocess
import sys


def main():
    gmfetch, bash, zsh, fish, man = sys.argv[1:6]
    help_text = subprocess.run([gmfetch, '--help'], check=True, capture_output=True,
                               text=True, timeout=30).stdout
    names = re.findall(r'^\s+(?:-\w, )?-{1,2}([A-Za-z][\w.-]*)', help_text, re.M)
    if len(names) < 10:
        print(f'only {len(names)} options found in --help:\n{help_text}')
        return 1
    docs = {p: open(p, encoding='utf-8').read() for p in (bash, zsh, fish, man)}
    failed = 0
    for name in names:
        for path, text in docs.items():
            # roff writes '-' as '\-'
            needle = name.replace('-', r'\-') if path == man else name
            # The name right after a dash (-json, \-\-jobs) or a quote (fish's -l 'jobs').
            if not re.search(r"(?<=[-'])" + re.escape(needle) + r'(?![\w.-])', text):
                print(f'option -{name} is missing from {path}')
                failed += 1
    print(f'{len(names)} options checked in {len(docs)} files: {failed} missing')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
