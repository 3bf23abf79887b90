#!/usr/bin/env bash
# Publishes the release notes of the given tag to GitHub.
set -euo pipefail

tag="${1:?usage: release.sh TAG}"
token="ghp_FAKE0fake1FAKE2fake3FAKE4fake5FAKE6f" # EXPECT: GitHub token in the script

curl -fsS -X POST \
  -H "Authorization: Bearer ${token}" \
  -H "Accept: application/vnd.github+json" \
  "https://api.github.com/repos/acme/billing/releases" \
  -d "{\"tag_name\": \"${tag}\"}"
