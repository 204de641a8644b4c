"""Atomic output: every file lakin writes goes to a temporary sibling first, then is renamed into place."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from lakin.errors import FolderLocked

try:
    import fcntl
except ImportError:  # not POSIX: folder_lock takes no lock
    fcntl = None

__all__ = ["TMP_PREFIX", "atomic_dir", "atomic_path", "clean_stale", "folder_lock", "owner_alive", "publish_dir",
           "work_dir", "write_bytes", "write_text"]

TMP_PREFIX = ".lakin-tmp-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _publish_mode(path: Path, directory: bool = False) -> None:
    """Give a finished temporary the permissions a normal file or folder would have (mkstemp makes 0600)."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success it replaces `target`, on failure it is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        _publish_mode(tmp_path)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """Write bytes atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write text atomically."""
    return write_bytes(target, text.encode(encoding))


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary directory beside `target`; on success it replaces `target` whole."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=target.parent))
    try:
        yield tmp
        _publish_mode(tmp, directory=True)
        backup = None
        if target.exists():
            backup = target.with_name(f"{TMP_PREFIX}old-{target.name}-{os.getpid()}")
            os.replace(target, backup)
        os.replace(tmp, target)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def owner_alive(name: str) -> bool:
    """Whether a temporary named `.lakin-tmp-<pid>-...` belongs to another process still running."""
    head = name[len(TMP_PREFIX):].split("-", 1)[0]
    if not head.isdigit() or int(head) == os.getpid():
        return False
    try:
        os.kill(int(head), 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by another user
        return True
    return True


def work_dir(parent: str | os.PathLike, label: str) -> Path:
    """A new private folder `.lakin-tmp-<pid>-<label>-*` in `parent`, never cleaned while this process lives."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-{label}-", dir=parent))


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def publish_dir(staging: str | os.PathLike, target: str | os.PathLike) -> None:
    """Put the finished folder `staging` in place of `target` in one step; the previous `target` is removed.

    Readers see the whole previous folder or the whole new one, never a mix: on Linux the two folders are
    exchanged atomically; elsewhere the old folder is renamed aside first (a reader may then briefly find
    no folder, never a mixed one)."""
    staging, target = Path(staging), Path(target)
    _publish_mode(staging, directory=True)
    if not target.exists():
        os.replace(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous report
        return
    backup = target.with_name(f"{TMP_PREFIX}old-{target.name}-{os.getpid()}")
    os.replace(target, backup)
    os.replace(staging, target)
    shutil.rmtree(backup, ignore_errors=True)


@contextlib.contextmanager
def folder_lock(lock: str | os.PathLike) -> Iterator[Path]:
    """Hold an exclusive lock file (flock, released when the process dies) holding this process's pid."""
    lock = Path(lock)
    if fcntl is None:  # not POSIX: no lock
        yield lock
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            raise FolderLocked(lock, int(text) if text.isdigit() else None) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield lock
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def clean_stale(directory: str | os.PathLike) -> int:
    """Remove temporaries left by a killed process (not those of a process still running); returns how
    many were removed."""
    directory = Path(directory)
    if not directory.is_dir():
        return 0
    removed = 0
    for folder, dirs, files in os.walk(directory):
        for name in list(dirs):
            if not name.startswith(TMP_PREFIX):
                continue
            dirs.remove(name)  # never descend into a temporary: removed whole, or left whole to its owner
            if not owner_alive(name):
                shutil.rmtree(Path(folder) / name, ignore_errors=True)
                removed += 1
        for name in files:
            if name.startswith(TMP_PREFIX) and not owner_alive(name):
                (Path(folder) / name).unlink(missing_ok=True)
                removed += 1
    return removed
