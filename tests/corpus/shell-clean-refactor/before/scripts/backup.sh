#!/usr/bin/env bash
set -euo pipefail

src="${1:?usage: backup.sh SOURCE DEST}"
dest="${2:?usage: backup.sh SOURCE DEST}"
stamp="$(date +%Y%m%d-%H%M%S)"

mkdir -p "$dest"
tar -czf "$dest/backup-$stamp.tar.gz" -C "$src" .
echo "wrote $dest/backup-$stamp.tar.gz"
