#!/usr/bin/env bash
# Copy the checkout's files (tracked, plus new files git does not ignore) to
# DEST, leaving out the collections/ link dir and every ignored or generated
# file (.venv, .build, .cache, .ansible, caches). Used for the sanity tree and
# the collection build, so both see exactly what a fresh clone would have.
#   scripts/copy-tree.sh DEST
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:?usage: scripts/copy-tree.sh DEST}
rm -rf "$dest"
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do
      case $f in collections/* | .ansible/* | .pytest_cache/* | */__pycache__/*) continue ;; esac
      [ -e "$f" ] || [ -L "$f" ] || continue   # deleted but not yet committed
      printf '%s\0' "$f"
    done \
  | tar --null -T - -cf - | tar -xf - -C "$dest"
echo "copy-tree: $(find "$dest" -type f | wc -l) files in $dest"
