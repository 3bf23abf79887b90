#!/usr/bin/env bash
set -euo pipefail

RELEASE_DIR="/srv/app/releases"
version="${1:?usage: deploy.sh VERSION}"
keep="${KEEP_RELEASES:-5}"

# Pre-existing: unquoted expansion, not part of this change.
echo Deploying $version

mkdir -p "$RELEASE_DIR/$version"
tar -xzf "dist/app-$version.tar.gz" -C "$RELEASE_DIR/$version"
ln -sfn "$RELEASE_DIR/$version" /srv/app/current

cd "$RELEASE_DIR"
for old in $(ls -t | tail -n +$((keep + 1))); do # EXPECT: iterating over ls output
  rm -rf $old # EXPECT: unquoted variable in rm -rf
done

cp $CONFIG_FILE /srv/app/current/config.yml # EXPECT: unquoted variable in cp
