"""A fresh, empty filesystem for each benchmark run's GOMODCACHE (used by bench.py, corpus.py).

Why: on a long-lived disk a cold run is not cold for the filesystem. On this machine the root
ext4 has no journal, and creating files there right after the previous run's cache was deleted
pays for ext4's recently_deleted() scan in the inode allocator (perf: ~7-10 s of sys time per
cold run, go and gmfetch alike), a cost a fresh CI runner does not have; a cache tree of 80k
files also takes minutes to delete there. So every run gets its own filesystem:

  ext4   a sparse image file (truncate -s SIZE), `mkfs.ext4 -q -F -E lazy_itable_init=0,
         lazy_journal_init=0` (journaled, like a CI runner's disk; no ext4lazyinit thread
         zeroing inode tables in the background during the timed run), `mount -o loop`;
         released by umount (the loop device is auto-cleared) and unlinking the image;
  tmpfs  `mount -t tmpfs -o size=SIZE` where loop devices are not available;
  dir    a plain directory (not root, or mounting refused), deleted afterwards.

mode 'auto' tries them in that order once (a probe mount) and keeps the first that works.
Creating and releasing happen outside the timed region. Every mount made by this process is
unmounted at exit (atexit), and mounts left by a killed earlier benchmark are found through
/proc/self/mounts and removed by cleanup_stale().
"""

import atexit
import os
import shutil
import subprocess

MKFS = ['mkfs.ext4', '-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0']
MODES = ('ext4', 'tmpfs', 'dir')
CMD_TIMEOUT = 120

_active = set()   # mount points of this process, unmounted at exit


def _run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=CMD_TIMEOUT,
                          stdin=subprocess.DEVNULL)


def _umount(mnt):
    r = _run(['umount', mnt])
    if r.returncode != 0:
        r = _run(['umount', '-l', mnt])   # busy (a killed child's cwd): detach anyway
    _active.discard(mnt)
    return r.returncode == 0


@atexit.register
def _umount_all():
    for mnt in sorted(_active, reverse=True):
        try:
            _umount(mnt)
        except (OSError, subprocess.SubprocessError):
            pass


def rmtree(path):
    """Remove a tree, including the read-only directories go makes."""
    if not os.path.lexists(path):
        return
    subprocess.run(['chmod', '-R', 'u+w', path], check=False, capture_output=True,
                   timeout=600)
    shutil.rmtree(path, ignore_errors=True)


class Mount:
    """One fresh filesystem mounted (or a directory made) at path."""

    def __init__(self, mode, path, image=None):
        self.mode, self.path, self.image = mode, path, image

    def unmount(self):
        """Unmount but keep the contents (the ext4 image file; a directory as it is)."""
        if self.path is not None and self.mode in ('ext4', 'tmpfs'):
            _umount(self.path)
        self.path = None

    def release(self):
        """Unmount and delete everything on it (the mount point directory stays, empty)."""
        if self.path is None:
            return
        if self.mode in ('ext4', 'tmpfs'):
            if not _umount(self.path):
                raise RuntimeError('cannot unmount ' + self.path)
            if self.image:
                os.unlink(self.image)
        else:
            rmtree(self.path)
            os.makedirs(self.path)
        self.path = None


class FreshFs:
    """Makes Mounts of one mode; size in bytes (an upper bound: the image is sparse)."""

    def __init__(self, workdir, size, mode='auto', log=None):
        self.workdir, self.size = workdir, int(size)
        self.why = ''
        os.makedirs(workdir, exist_ok=True)
        if mode == 'auto':
            self.mode = None
            errors = []
            for m in MODES:
                probe = os.path.join(workdir, 'freshfs-probe')
                os.makedirs(probe, exist_ok=True)
                try:
                    self.mode = m
                    self.make(probe, size=64 << 20).release()
                    break
                except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                    errors.append('%s: %s' % (m, (str(e).strip().splitlines() or ['?'])[-1]))
                    self.mode = None
                finally:
                    try:
                        os.rmdir(probe)
                    except OSError:
                        pass
            self.why = '; '.join(errors)
            if log and errors:
                log('freshfs: using %s (%s)' % (self.mode, self.why))
        elif mode in MODES:
            self.mode = mode
        else:
            raise ValueError('unknown fresh-fs mode ' + mode)

    def describe(self):
        if self.mode == 'ext4':
            return ('a new journaled ext4 per run: sparse %d GiB image in %s, `%s`, '
                    '`mount -o loop`' % (self.size >> 30, self.workdir, ' '.join(MKFS)))
        if self.mode == 'tmpfs':
            return 'a new tmpfs per run (`mount -t tmpfs -o size=%dG`)' % (self.size >> 30)
        return ('a new directory per run on the filesystem of %s (no fresh filesystem: %s)'
                % (self.workdir, self.why or '--fresh-fs dir'))

    def make(self, mnt, size=None):
        """A fresh filesystem at mnt (an existing empty directory, or created)."""
        size = size or self.size
        os.makedirs(mnt, exist_ok=True)
        if self.mode == 'dir':
            return Mount('dir', mnt)
        if self.mode == 'tmpfs':
            r = _run(['mount', '-t', 'tmpfs', '-o', 'size=%d,mode=0755' % size, 'tmpfs', mnt])
            if r.returncode != 0:
                raise RuntimeError('mount tmpfs: ' + r.stderr)
            _active.add(mnt)
            return Mount('tmpfs', mnt)
        image = mnt.rstrip('/') + '.img'
        with open(image, 'wb') as f:
            f.truncate(size)
        try:
            r = _run(MKFS + [image])
            if r.returncode != 0:
                raise RuntimeError('mkfs.ext4: ' + r.stderr)
            r = _run(['mount', '-t', 'ext4', '-o', 'loop', image, mnt])
            if r.returncode != 0:
                raise RuntimeError('mount -o loop: ' + r.stderr)
        except BaseException:
            os.unlink(image)
            raise
        _active.add(mnt)
        return Mount('ext4', mnt, image)


def umount_under(path):
    """Unmount every filesystem mounted below path (deepest first)."""
    path = os.path.abspath(path)
    mounts = []
    try:
        with open('/proc/self/mounts') as f:
            for line in f:
                mp = line.split()[1].replace('\\040', ' ')
                if mp.startswith(path + '/'):
                    mounts.append(mp)
    except OSError:
        pass
    for mp in sorted(mounts, key=len, reverse=True):
        _umount(mp)
    return mounts


def cleanup_stale(parent, prefix='work-'):
    """Unmount and delete what a killed benchmark left under parent/<prefix><pid>/.

    Directories of a live process (another benchmark running now) are left alone."""
    def alive(pid):
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    if not os.path.isdir(parent):
        return []
    stale = []
    for name in os.listdir(parent):
        if name.startswith(prefix) and name[len(prefix):].isdigit():
            if not alive(int(name[len(prefix):])):
                stale.append(os.path.join(parent, name))
    for s in stale:
        umount_under(s)
        rmtree(s)
    return stale
