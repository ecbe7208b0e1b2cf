"""Self-signed certificates for loopback TLS, made with the `openssl` binary."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class CertificateError(RuntimeError):
    """The certificate could not be made (no `openssl`, or it failed)."""


@dataclass(frozen=True)
class CertificatePair:
    """A PEM certificate and its private key; the certificate is its own CA."""

    cert: Path
    key: Path


def make_self_signed_cert(directory: Path, ip: str = "127.0.0.1", days: int = 7) -> CertificatePair:
    """Write `server.crt` and `server.key` into `directory` for a server on `ip`.

    The certificate carries `subjectAltName=IP:<ip>`, so a client using
    `ssl.create_default_context(cafile=cert)` verifies it fully (chain and
    host name) when it connects to that address. An EC P-256 key keeps this
    to a few milliseconds, where an RSA key would cost a noticeable share of
    a test's start-up.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise CertificateError("the openssl binary is not installed")
    directory.mkdir(parents=True, exist_ok=True)
    pair = CertificatePair(cert=directory / "server.crt", key=directory / "server.key")
    command = [
        openssl, "req", "-x509", "-nodes", "-newkey", "ec",
        "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-keyout", str(pair.key), "-out", str(pair.cert),
        "-days", str(days), "-subj", f"/CN={ip}",
        "-addext", f"subjectAltName=IP:{ip}",
        "-addext", "basicConstraints=critical,CA:TRUE",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
    if result.returncode != 0:
        raise CertificateError(f"openssl failed ({result.returncode}): {result.stderr.strip()}")
    pair.key.chmod(0o600)
    return pair
