"""DynamoDB Local (Amazon's engine, Java 17) from the npm package amplify-dynamodb-simulator.

The package version and its checksum are pinned here: a download that does not
match is refused.
"""
import ctypes
import hashlib
import shutil
import socket
import subprocess
import tarfile
import signal
import tempfile
import time
from pathlib import Path

PACKAGE = "amplify-dynamodb-simulator"
VERSION = "2.9.30"
SHA256 = "3503ffac19f183407909fecdacf4db51ab1fdad1da7b2f177016670b2d80e4b9"

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / ".local" / "dynamodb-local" / VERSION
JAR = HOME / "DynamoDBLocal.jar"


def install() -> Path:
    """Fetches the pinned package with `npm pack` once, checks it, keeps its emulator/ folder."""
    if JAR.exists():
        return HOME
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"],
            cwd=work, check=True, stdout=subprocess.DEVNULL,
        )
        tarball = Path(work) / f"{PACKAGE}-{VERSION}.tgz"
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
        if digest != SHA256:
            raise RuntimeError(f"{tarball.name}: sha256 {digest} is not the pinned {SHA256}")
        with tarfile.open(tarball) as archive:
            archive.extractall(work, filter="data")
        staging = HOME.with_suffix(".partial")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(Path(work) / "package" / "emulator", staging)
        staging.rename(HOME)
    return HOME


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _die_with_parent() -> None:
    """Linux: the JVM gets SIGTERM when the process that started it dies, even by kill -9."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start(port: int, data_dir: Path | None = None, log_path: Path | None = None) -> subprocess.Popen:
    """Starts DynamoDB Local on 127.0.0.1:port, in memory or persisting under data_dir."""
    home = install()
    storage = ["-inMemory"] if data_dir is None else ["-dbPath", str(data_dir)]
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        ["java", f"-Djava.library.path={home / 'DynamoDBLocal_lib'}", "-jar", str(JAR),
         "-port", str(port), "-sharedDb", *storage],
        cwd=home, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
    )
    deadline = time.monotonic() + 60
    while not port_open(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"DynamoDB Local did not start on port {port}")
        time.sleep(0.1)
    return process


if __name__ == "__main__":
    print(install())
