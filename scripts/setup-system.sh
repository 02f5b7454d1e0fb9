#!/usr/bin/env bash
# The Debian/Ubuntu packages Signet's tests use as real peers and components.
set -euo pipefail
PACKAGES=(
  chromium                 # Playwright e2e (browser mode)
  docker-registry          # OCI distribution registry
  skopeo                   # containers/image peer (simple signing, policy.json)
  gnupg                    # OpenPGP peer
  openssl                  # signature peer
  python3 python3-nacl     # independent scrypt + NaCl secretbox (cosign keys)
  python3-jwcrypto python3-cbor2 python3-cryptography  # independent Notation JWS and COSE verifiers
  python3-jsonschema       # the admission controllers' CRD schemas check generated policies
  softhsm2                 # PKCS#11 token
  gnome-keyring dbus dbus-x11 libsecret-1-0 libsecret-tools  # OS keychain (Secret Service)
  apache2-utils            # htpasswd for the registry's basic auth
  zbar-tools               # an independent QR reader for the fingerprint QR codes
  build-essential python3-dev  # node-gyp for pkcs11js
  ca-certificates git
)
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${PACKAGES[@]}"
