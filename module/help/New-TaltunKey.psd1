@{
    Synopsis    = 'Generates Curve25519 key pairs or preshared keys, or derives the public key of a private key.'
    Description = @'
New-TaltunKey makes the keys a Taltun (or any WireGuard) tunnel needs. Without parameters it returns one new key pair: a random private key, clamped as RFC 7748 and wg genkey do, and its public key. Keys are printed in base64, the form WireGuard's tools use, so they paste into any WireGuard configuration; -Encoding Hex prints 64 hex digits instead. Every key parameter in Taltun accepts both forms.

With -PrivateKey it derives the public key of an existing private key, like wg pubkey. With -Preshared it makes symmetric preshared keys, like wg genpsk. -Count makes many at once for scripted provisioning.

A malformed key is a terminating error with ErrorId InvalidKey. The message names the parameter and the accepted forms and never repeats the key.
'@
    Parameters  = @{
        Count      = 'How many key pairs (or preshared keys) to make. Each is independent and random.'
        PrivateKey = 'An existing private key, as 44 base64 characters or 64 hex digits. New-TaltunKey returns it with its public key. Accepts pipeline input, also by property name from another key pair.'
        Preshared  = 'Make 32-byte symmetric preshared keys instead of key pairs. Both peers of a pair configure the same preshared key.'
        Encoding   = 'Base64 (the default, what WireGuard prints) or Hex (64 lowercase hex digits, what the original Taltun used).'
    }
    Inputs      = @{
        'System.String' = 'A private key, piped to -PrivateKey.'
    }
    Outputs     = @{
        'Taltun.PowerShell.TaltunKeyPair'      = 'PrivateKey and PublicKey, as text. Its ToString() is the public key only.'
        'Taltun.PowerShell.TaltunPresharedKey' = 'PresharedKey, as text, with -Preshared.'
    }
    Examples    = @(
        @{
            Title   = 'Make a key pair'
            Code    = @'
$hub = New-TaltunKey
$hub.PublicKey
'@
            Remarks = 'Makes a key pair and prints its public key, which the hub''s peers put in their configs.'
        }
        @{
            Title   = 'Keys for fifty clients'
            Code    = '$clients = New-TaltunKey -Count 50'
            Remarks = 'Makes fifty independent key pairs for scripted provisioning.'
        }
        @{
            Title   = 'The public key of an existing private key'
            Code    = "Get-Content ./server.key | New-TaltunKey | Select-Object -ExpandProperty PublicKey"
            Remarks = 'Derives the public key, as wg pubkey < server.key does.'
        }
        @{
            Title   = 'A preshared key in hex'
            Code    = 'New-TaltunKey -Preshared -Encoding Hex'
            Remarks = 'Makes a preshared key printed as 64 hex digits.'
        }
    )
    Links       = @('Add-TaltunPeer', 'Start-TaltunTunnel')
}
