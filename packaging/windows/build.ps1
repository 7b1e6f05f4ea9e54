# Windows runner: builds the PyInstaller bundle, smoke-tests it, signs the executables, builds the MSI
# with WiX 3 (candle/light; `choco install wixtoolset` puts it in $env:WIX) and signs the MSI.
#
#   pwsh packaging/windows/build.ps1 -Version 1.2.3      # -> dist\OpgeluchtDesk-1.2.3-x64.msi
#
# Signing needs the variables of sign.ps1; -NoSign skips it (test builds only).
param(
    [Parameter(Mandatory = $true)][ValidatePattern('^\d+\.\d+\.\d+$')][string]$Version,
    [switch]$NoSign
)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path "$PSScriptRoot\..\..").Path
$bundle = "$root\dist\opgelucht-desk"
$work = "$root\build\msi"
$msi = "$root\dist\OpgeluchtDesk-$Version-x64.msi"

function Invoke-Checked([string]$exe, [string[]]$arguments) {
    & $exe @arguments
    if ($LASTEXITCODE -ne 0) { throw "$exe failed with exit code $LASTEXITCODE" }
}

Invoke-Checked python @('-m', 'PyInstaller', '--noconfirm', '--log-level', 'WARN', '--distpath', "$root\dist",
    '--workpath', "$root\build\pyinstaller", "$root\packaging\opgelucht-desk.spec")

# Smoke test: offscreen, first window shown, exit code 0 (the bundle is a GUI program: wait for it).
$env:QT_QPA_PLATFORM = 'offscreen'
$smoke = Start-Process -FilePath "$bundle\opgelucht-desk.exe" -ArgumentList '--smoke-test' -NoNewWindow -PassThru
if (-not $smoke.WaitForExit(120000)) { $smoke.Kill(); throw 'smoke test timed out' }
if ($smoke.ExitCode -ne 0) { throw "smoke test failed with exit code $($smoke.ExitCode)" }
Remove-Item Env:QT_QPA_PLATFORM

if (-not $NoSign) {
    # Our own executable; Qt's and Python's DLLs already carry their vendors' signatures.
    & "$PSScriptRoot\sign.ps1" -Files @("$bundle\opgelucht-desk.exe")
}

New-Item -ItemType Directory -Force -Path $work | Out-Null
$wix = Join-Path $env:WIX 'bin'
Invoke-Checked "$wix\heat.exe" @('dir', $bundle, '-nologo', '-cg', 'AppFiles', '-dr', 'INSTALLDIR', '-srd', '-sreg',
    '-ag', '-var', 'var.SourceDir', '-out', "$work\files.wxs")
Invoke-Checked "$wix\candle.exe" @('-nologo', '-arch', 'x64', "-dVersion=$Version", "-dSourceDir=$bundle",
    '-out', "$work\", "$PSScriptRoot\opgelucht-desk.wxs", "$work\files.wxs")
Invoke-Checked "$wix\light.exe" @('-nologo', '-out', $msi, "$work\opgelucht-desk.wixobj", "$work\files.wixobj")

if (-not $NoSign) {
    & "$PSScriptRoot\sign.ps1" -Files @($msi)
}
Write-Host "build: $msi"
