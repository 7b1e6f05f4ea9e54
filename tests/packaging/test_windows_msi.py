"""The Windows installer recipe: the MSI built from packaging/windows/opgelucht-desk.wxs installs per
machine, upgrades, and writes the RELAY_URL property to HKLM; Authenticode signing with sign.sh gives a
signature that verifies, and any change to the signed MSI makes verification fail."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ROOT / "packaging" / "windows"
VERSION = "1.2.3"

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("wixl", "wixl-heat", "msiinfo", "msibuild", "osslsigncode")),
    reason="needs wixl, msitools and osslsigncode (apt-get install wixl msitools osslsigncode)",
)


@dataclass(frozen=True)
class CodeSigningCert:
    """A throwaway self-signed code-signing certificate (never a real key)."""

    pkcs12: Path
    password: str
    cert_pem: Path


def make_code_signing_cert(directory: Path, name: str, password: str) -> CodeSigningCert:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_pem = directory / f"{name.replace(' ', '_')}.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    p12 = directory / f"{name.replace(' ', '_')}.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name.encode(), key, cert, None, serialization.BestAvailableEncryption(password.encode())
        )
    )
    return CodeSigningCert(pkcs12=p12, password=password, cert_pem=cert_pem)


def run(cmd: list[str | Path], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **env},
    )


def table(msi: Path, name: str) -> list[list[str]]:
    """Rows of an MSI table (msiinfo export: three header lines, then tab-separated rows)."""
    out = run(["msiinfo", "export", msi, name])
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines()[3:]]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dummy one-folder bundle shaped like PyInstaller's Windows output."""
    root = tmp_path_factory.mktemp("bundle") / "opgelucht-desk"
    (root / "_internal" / "PySide6" / "plugins" / "platforms").mkdir(parents=True)
    (root / "opgelucht-desk.exe").write_bytes(b"MZ" + os.urandom(2048))
    (root / "_internal" / "python311.dll").write_bytes(os.urandom(1024))
    (root / "_internal" / "PySide6" / "plugins" / "platforms" / "qwindows.dll").write_bytes(os.urandom(512))
    return root


@pytest.fixture(scope="module")
def msi(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("msi") / f"OpgeluchtDesk-{VERSION}-x64.msi"
    built = run([WINDOWS / "build-msi.sh", bundle, VERSION, out])
    assert built.returncode == 0, built.stderr
    return out


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> CodeSigningCert:
    return make_code_signing_cert(tmp_path_factory.mktemp("cert"), "Opgelucht Test Signing", "pw-test-123")


def sign(path: Path, cert: CodeSigningCert) -> subprocess.CompletedProcess[str]:
    return run([WINDOWS / "sign.sh", path], OPG_SIGN_PKCS12=str(cert.pkcs12), OPG_SIGN_PASSWORD=cert.password)


def verify(path: Path, cert: CodeSigningCert) -> subprocess.CompletedProcess[str]:
    return run(["osslsigncode", "verify", "-in", path, "-CAfile", cert.cert_pem])


def test_msi_installs_per_machine_with_shortcut_and_upgrade_code(msi: Path) -> None:
    props = dict(row[:2] for row in table(msi, "Property"))
    wxs = (WINDOWS / "opgelucht-desk.wxs").read_text()
    upgrade_code = re.search(r'UpgradeCode="([0-9A-F-]{36})"', wxs)
    assert upgrade_code is not None
    assert props["ALLUSERS"] == "1"
    assert props["ProductVersion"] == VERSION
    assert props["ProductName"] == "Opgelucht Desk"
    assert props["UpgradeCode"] == "{" + upgrade_code[1] + "}"
    summary = run(["msiinfo", "suminfo", msi]).stdout
    assert "Template: x64;1033" in summary

    directories = {row[0]: row for row in table(msi, "Directory")}
    assert directories["INSTALLDIR"][1:] == ["ProgramFiles64Folder", "Opgelucht Desk"]
    (shortcut,) = table(msi, "Shortcut")
    assert shortcut[1] == "ProgramMenuFolder"
    assert shortcut[2] == "Opgelucht Desk"
    assert shortcut[4] == "[INSTALLDIR]opgelucht-desk.exe"

    files = {row[2] for row in table(msi, "File")}
    assert {"opgelucht-desk.exe", "python311.dll", "qwindows.dll"} <= files


def test_major_upgrade_replaces_older_and_refuses_downgrade(msi: Path) -> None:
    rows = table(msi, "Upgrade")
    actions = {row[-1]: row for row in rows}
    upgrade, downgrade = actions["WIX_UPGRADE_DETECTED"], actions["WIX_DOWNGRADE_DETECTED"]
    assert upgrade[2] == VERSION  # older versions up to (not including) this one are removed
    assert downgrade[1] == VERSION  # a newer installed version blocks this one
    sequence = {row[0]: int(row[2]) for row in table(msi, "InstallExecuteSequence")}
    assert sequence["InstallValidate"] < sequence["RemoveExistingProducts"] < sequence["InstallInitialize"]


def test_relay_url_property_is_written_to_hklm_and_kept_on_upgrade(msi: Path) -> None:
    registry = {row[3]: row for row in table(msi, "Registry")}
    relay = registry["RelayUrl"]
    assert relay[1] == "2"  # HKEY_LOCAL_MACHINE
    assert relay[2] == r"Software\Opgelucht\Desk"
    assert relay[4] == "[RELAY_URL]"
    components = {row[0]: row for row in table(msi, "Component")}
    assert int(components[relay[5]][3]) & 256  # 64-bit component: the 64-bit registry view the app reads

    # Remember-property: a silent upgrade without RELAY_URL restores the saved value right after AppSearch.
    (locator,) = table(msi, "RegLocator")
    assert locator[1:4] == ["2", r"Software\Opgelucht\Desk", "RelayUrl"]
    assert int(locator[4]) & 16  # 64-bit view
    (action,) = table(msi, "CustomAction")
    assert action[0] == "RestoreRelayUrl"
    assert action[2:4] == ["RELAY_URL", "[SAVED_RELAY_URL]"]
    for sequence_table in ("InstallExecuteSequence", "InstallUISequence"):
        sequence = {row[0]: (row[1], int(row[2])) for row in table(msi, sequence_table)}
        condition, number = sequence["RestoreRelayUrl"]
        assert condition == "SAVED_RELAY_URL AND NOT RELAY_URL"
        assert sequence["AppSearch"][1] < number < sequence["CostFinalize"][1]


def test_build_refuses_a_folder_without_the_app(tmp_path: Path) -> None:
    result = run([WINDOWS / "build-msi.sh", tmp_path, VERSION, tmp_path / "x.msi"])
    assert result.returncode != 0
    assert "no opgelucht-desk.exe" in result.stderr
    bad_version = run([WINDOWS / "build-msi.sh", tmp_path, "1.2", tmp_path / "x.msi"])
    assert bad_version.returncode != 0


def test_signed_msi_verifies(msi: Path, cert: CodeSigningCert, tmp_path: Path) -> None:
    signed = tmp_path / msi.name
    shutil.copy(msi, signed)
    result = sign(signed, cert)
    assert result.returncode == 0, result.stderr
    check = verify(signed, cert)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Signature verification: ok" in check.stdout
    assert "Text description: Opgelucht Desk" in check.stdout


def test_unsigned_msi_and_foreign_certificate_fail_verification(
    msi: Path, cert: CodeSigningCert, tmp_path: Path
) -> None:
    assert verify(msi, cert).returncode != 0
    signed = tmp_path / msi.name
    shutil.copy(msi, signed)
    assert sign(signed, cert).returncode == 0
    stranger = make_code_signing_cert(tmp_path / "other", "Someone Else", "pw")
    assert verify(signed, stranger).returncode != 0


@pytest.mark.parametrize(
    "tamper",
    [
        ["-q", "UPDATE `Property` SET `Value` = 'https://evil.example' WHERE `Property` = 'ARPURLINFOABOUT'"],
        ["-q", "UPDATE `Registry` SET `Value` = 'https://evil.example' WHERE `Name` = 'RelayUrl'"],
        ["-a", "desk.cab", "SWAPPED_PAYLOAD"],
    ],
    ids=["property", "relay-url", "payload"],
)
def test_tampered_signed_msi_fails_verification(
    msi: Path, cert: CodeSigningCert, tmp_path: Path, tamper: list[str]
) -> None:
    signed = tmp_path / msi.name
    shutil.copy(msi, signed)
    assert sign(signed, cert).returncode == 0
    assert verify(signed, cert).returncode == 0
    if "SWAPPED_PAYLOAD" in tamper:
        fake_cab = tmp_path / "evil.cab"
        fake_cab.write_bytes(b"MSCF" + os.urandom(256))
        tamper = [*tamper[:2], str(fake_cab)]
    changed = run(["msibuild", signed, *tamper])
    assert changed.returncode == 0, changed.stderr
    check = verify(signed, cert)
    assert check.returncode != 0
    assert "MISMATCH" in check.stdout


def test_sign_script_fails_clearly_and_leaves_the_file_alone(
    msi: Path, cert: CodeSigningCert, tmp_path: Path
) -> None:
    target = tmp_path / msi.name
    shutil.copy(msi, target)
    original = target.read_bytes()

    no_password = run([WINDOWS / "sign.sh", target], OPG_SIGN_PKCS12=str(cert.pkcs12), OPG_SIGN_PASSWORD="")
    assert no_password.returncode != 0
    assert "OPG_SIGN_PASSWORD" in no_password.stderr

    no_key = run([WINDOWS / "sign.sh", target], OPG_SIGN_PKCS12="", OPG_SIGN_PASSWORD="x")
    assert no_key.returncode != 0
    assert "OPG_SIGN_PKCS12" in no_key.stderr

    secret = "Never-Shown-Passw0rd"
    wrong = run([WINDOWS / "sign.sh", target], OPG_SIGN_PKCS12=str(cert.pkcs12), OPG_SIGN_PASSWORD=secret)
    assert wrong.returncode != 0
    assert secret not in wrong.stdout + wrong.stderr
    assert target.read_bytes() == original
