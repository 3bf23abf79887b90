#!/usr/bin/env bash
set -euo pipefail

RELEASE_DIR="/srv/app/releases"
version="${1:?usage: deploy.sh VERSION}"

# Pre-existing: unquoted expansion, not part of this change.
echo Deploying $version

mkdir -p "$RELEASE_DIR/$version"
tar -xzf "dist/app-$version.tar.gz" -C "$RELEASE_DIR/$version"
ln -sfn "$RELEASE_DIR/$version" /srv/app/current
