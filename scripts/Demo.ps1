<#
.SYNOPSIS
What Taltun can do today: make WireGuard-compatible keys from PowerShell, checked against wg.
#>
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../out/Taltun/Taltun.psd1')

Write-Host '== Three key pairs for a hub and two clients'
$keys = New-TaltunKey -Count 3
$keys | Format-Table PublicKey | Out-Host

Write-Host '== Each public key, as wg pubkey derives it from the private key'
$rows = foreach ($pair in $keys) {
    $fromWg = ($pair.PrivateKey | & wg pubkey).Trim()
    [pscustomobject]@{ PublicKey = $pair.PublicKey; WgPubkey = $fromWg; Same = $fromWg -eq $pair.PublicKey }
}
$rows | Format-Table -AutoSize | Out-Host
$mismatches = @($rows | Where-Object { -not $_.Same }).Count

Write-Host '== A preshared key, and a seed-style hex key read back'
New-TaltunKey -Preshared | Format-List | Out-Host
$hex = New-TaltunKey -Encoding Hex
New-TaltunKey -PrivateKey $hex.PrivateKey | Format-Table PublicKey | Out-Host

if ($mismatches) { throw "$mismatches public key(s) differ from wg pubkey." }
Write-Host 'Demo finished: every key matches WireGuard''s tools.'
