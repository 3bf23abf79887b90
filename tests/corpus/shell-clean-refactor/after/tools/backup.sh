#!/usr/bin/env bash
set -euo pipefail

usage() {
  echo "usage: backup.sh SOURCE DEST [KEEP]" >&2
  exit 2
}

make_archive() {
  local src="$1" dest="$2" stamp
  stamp="$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$dest"
  tar -czf "$dest/backup-$stamp.tar.gz" -C "$src" .
  echo "wrote $dest/backup-$stamp.tar.gz"
}

prune_archives() {
  local dest="$1" keep="$2"
  find "$dest" -maxdepth 1 -name 'backup-*.tar.gz' -printf '%T@ %p\n' \
    | sort -rn \
    | tail -n "+$((keep + 1))" \
    | cut -d' ' -f2- \
    | while IFS= read -r old; do
        rm -f -- "$old"
      done
}

main() {
  [[ $# -ge 2 ]] || usage
  make_archive "$1" "$2"
  prune_archives "$2" "${3:-7}"
}

main "$@"
