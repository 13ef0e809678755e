#!/usr/bin/env bash
# Build the molecule test image localhost/linuxnet-debian12 without a registry:
# mmdebstrap a minimal Debian 12 from the apt mirror this machine already uses,
# cache the tarball under .cache/ and `podman import` it. Does nothing when the
# image exists and was built from the current package list and mirror.
#   scripts/build-test-image.sh [--force] [VARIANT]
# A VARIANT (e.g. fleet-netplan) builds localhost/linuxnet-VARIANT from the base
# list plus molecule/_shared/VARIANT-packages.txt (the fleet scenario's images).
set -euo pipefail
cd "$(dirname "$0")/.."
force=
variant=
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    *) variant=$arg ;;
  esac
done
name=linuxnet-${variant:-debian12}
if [ -n "$variant" ]; then
  image=localhost/$name
else
  image=${LINUXNET_TEST_IMAGE:-localhost/linuxnet-debian12}
fi
suite=bookworm
pkg_files=(molecule/_shared/image-packages.txt)
[ -z "$variant" ] || pkg_files+=("molecule/_shared/$variant-packages.txt")
for f in "${pkg_files[@]}"; do
  [ -f "$f" ] || { echo "build-test-image: no package list $f" >&2; exit 2; }
done
mkdir -p .cache
# an image is machine-wide: one build at a time per image
exec 9>"/tmp/$name-build-test-image.lock"
flock 9

# The mirrors apt already uses (deb822 *.sources first, then sources.list),
# restricted to the suite and its -updates/-security companions.
mirrors=$(/usr/bin/python3 - "$suite" <<'PY'
import glob, re, sys
suite = sys.argv[1]
wanted = {suite, suite + "-updates", suite + "-security"}
lines = []
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    with open(path) as f:
        for stanza in re.split(r"\n\s*\n", f.read()):
            fields = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line or line[0].isspace():
                    continue
                key, value = line.split(":", 1)
                fields[key.strip().lower()] = value.split()
            if fields.get("enabled", ["yes"])[0].lower() == "no" or "deb" not in fields.get("types", []):
                continue
            for uri in fields.get("uris", []):
                for s in fields.get("suites", []):
                    if s in wanted:
                        lines.append("deb %s %s main" % (uri, s))
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        with open(path) as f:
            content = f.read()
    except OSError:
        continue
    for line in content.splitlines():
        parts = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
        if len(parts) >= 3 and parts[0] == "deb" and parts[2] in wanted:
            lines.append("deb %s %s main" % (parts[1], parts[2]))
seen = []
for line in lines:
    if line not in seen:
        seen.append(line)
print("\n".join(seen))
PY
)
if [ -z "$mirrors" ]; then
  echo "build-test-image: no Debian $suite mirror found in /etc/apt; using deb.debian.org" >&2
  mirrors="deb http://deb.debian.org/debian $suite main"
fi
packages=$(cat "${pkg_files[@]}" | sed -e 's/#.*//' -e '/^[[:space:]]*$/d' | tr -s ' \n' ',' | sed 's/,$//')
# Bump recipe when the mmdebstrap/import commands below change.
recipe=1
hash=$(printf '%s\n%s\n%s\n' "$recipe" "$packages" "$mirrors" | sha256sum | cut -c1-16)
tarball=.cache/$name-$hash.tar

current=$(podman image inspect --format '{{ index .Labels "linuxnet.hash" }}' "$image" 2>/dev/null || true)
if [ -z "$force" ] && [ "$current" = "$hash" ]; then
  echo "build-test-image: $image is current ($hash)"
  exit 0
fi
if [ -n "$force" ] || [ ! -s "$tarball" ]; then
  echo "build-test-image: mmdebstrap $suite with: $packages"
  printf '  mirror: %s\n' "$mirrors"
  rm -f ".cache/$name"-[0-9a-f]*.tar
  mapfile -t mirror_args <<<"$mirrors"
  log=.cache/mmdebstrap-$name.log
  # $1 in the customize hook is the chroot, expanded by mmdebstrap's shell.
  # shellcheck disable=SC2016
  if ! mmdebstrap --mode=root --variant=minbase --format=tar \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --include="$packages" \
    --aptopt='Acquire::Retries "3"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    "$suite" "$tarball.part" "${mirror_args[@]}" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "build-test-image: mmdebstrap failed (full log: $log)" >&2
    rm -f "$tarball.part"
    exit 1
  fi
  mv "$tarball.part" "$tarball"
fi
echo "build-test-image: importing $tarball as $image"
podman import --quiet \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL linuxnet.hash=$hash" \
  "$tarball" "$image" >/dev/null
podman image prune --force >/dev/null 2>&1 || true
echo "build-test-image: $image ready ($hash)"
