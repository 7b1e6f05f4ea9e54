# Windows runner: Authenticode-signs files with signtool (SHA-256, RFC 3161 time stamp) and verifies them.
#
#   pwsh packaging/windows/sign.ps1 -Files dist\OpgeluchtDesk-1.2.3-x64.msi
#
# Environment (GitHub secrets, see packaging/README.md):
#   WINDOWS_CERT_PFX_BASE64   code-signing certificate with key and chain, .pfx, base64
#   WINDOWS_CERT_PASSWORD     its password
#   OPG_SIGN_TIMESTAMP_URL    optional, default http://timestamp.digicert.com
# With a cloud HSM (Azure Trusted Signing, DigiCert KeyLocker, ...) replace the /f /p arguments by
# that vendor's signtool options (/dlib + /dmdf, or /sha1 for a certificate in the store); the rest stays.
param([Parameter(Mandatory = $true)][string[]]$Files)
$ErrorActionPreference = 'Stop'

$signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" |
    Sort-Object FullName -Descending | Select-Object -First 1
if (-not $signtool) { throw 'signtool.exe not found (Windows SDK)' }
if (-not $env:WINDOWS_CERT_PFX_BASE64 -or -not $env:WINDOWS_CERT_PASSWORD) {
    throw 'set WINDOWS_CERT_PFX_BASE64 and WINDOWS_CERT_PASSWORD'
}
$timestamp = if ($env:OPG_SIGN_TIMESTAMP_URL) { $env:OPG_SIGN_TIMESTAMP_URL } else { 'http://timestamp.digicert.com' }

$pfx = Join-Path $env:RUNNER_TEMP 'opgelucht-signing.pfx'
try {
    [IO.File]::WriteAllBytes($pfx, [Convert]::FromBase64String($env:WINDOWS_CERT_PFX_BASE64))
    foreach ($file in $Files) {
        & $signtool.FullName sign /fd SHA256 /f $pfx /p $env:WINDOWS_CERT_PASSWORD /tr $timestamp /td SHA256 `
            /d 'Opgelucht Desk' /du 'https://opgelucht.nl' $file
        if ($LASTEXITCODE -ne 0) { throw "signing $file failed" }
        & $signtool.FullName verify /pa /v $file
        if ($LASTEXITCODE -ne 0) { throw "signature of $file does not verify" }
    }
}
finally {
    Remove-Item -Force -ErrorAction SilentlyContinue $pfx
}
