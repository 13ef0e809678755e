#!/usr/bin/env bash
# Install what `make demo` (runtime) or `make test` (test) needs on a Debian 12
# machine, as root: Debian packages via apt-get (only those missing, checked
# with dpkg-query) and the .venv from requirements/*.txt (only when the
# requirements changed since the last install, recorded in a stamp file).
#   scripts/setup.sh runtime|test
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:?usage: scripts/setup.sh runtime|test}
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: make demo and make test need root (network namespaces, links, nftables, apt-get): run them as root, e.g. sudo make $( [ "$kind" = runtime ] && echo demo || echo test )" >&2
  exit 1
fi

runtime_packages=(
  python3 python3-venv iproute2 nftables python3-pyroute2
  dnsmasq-base procps iputils-ping wireguard-go wireguard-tools
  radvd isc-dhcp-client
  git make ca-certificates
)
test_packages=(podman runc mmdebstrap shellcheck openjdk-17-jre-headless)
case $kind in
  runtime) packages=("${runtime_packages[@]}"); requirements=requirements/runtime.txt ;;
  test) packages=("${runtime_packages[@]}" "${test_packages[@]}"); requirements=requirements/test.txt ;;
  *) echo "usage: scripts/setup.sh runtime|test" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ $status == ii* ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}" </dev/null
else
  echo "setup: Debian packages present (${#packages[@]} checked)"
fi

# ansible-rulebook (the netlink event source's test) has its own venv: it
# pins its own dependencies. Needs the JDK of test_packages.
if [ "$kind" = test ]; then
  rb_hash=$(sha256sum requirements/rulebook.txt | cut -d' ' -f1)
  rb_stamp=.build/rulebook-venv/.linuxnet-rulebook.sha256
  if [ ! -f "$rb_stamp" ] || [ "$(cat "$rb_stamp")" != "$rb_hash" ]; then
    echo "setup: installing requirements/rulebook.txt into .build/rulebook-venv"
    [ -x .build/rulebook-venv/bin/python ] || /usr/bin/python3 -m venv .build/rulebook-venv
    .build/rulebook-venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/rulebook.txt
    echo "$rb_hash" >"$rb_stamp"
  fi
fi

# The hash covers every requirements file a kind pulls in (test.txt includes
# runtime.txt); a stamp per kind lives inside the venv, so a new venv has none.
hash_of() { cat requirements/runtime.txt "$@" | sha256sum | cut -d' ' -f1; }
hash=$(hash_of "$requirements")
stamp=.venv/.linuxnet-$kind.sha256
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
  echo "setup: .venv is up to date with $requirements"
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with /usr/bin/python3"
  /usr/bin/python3 -m venv .venv
fi
echo "setup: installing $requirements into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
echo "$hash" >"$stamp"
if [ "$kind" = test ]; then
  # test.txt includes runtime.txt, so the runtime set is installed as well
  hash_of requirements/runtime.txt >.venv/.linuxnet-runtime.sha256
fi
echo "setup: .venv ready"
