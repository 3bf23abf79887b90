#!/usr/bin/env bash
# Make a local stand-in for python:3.11-slim-bookworm and import it into Docker, for machines
# that reach Debian's package archive but no image registry (scripts/test-image.sh uses it).
#
#   scripts/image-base.sh [TAG]    prints the tag of the imported image (default below)
#
# The stand-in is Debian bookworm (debootstrap, minbase) with Debian's python3 (3.11), venv,
# git and ca-certificates, and `python`/`python3` in /usr/local/bin where the official image has
# them, so the Dockerfile's `python -m venv` works on either base. Needs root and debootstrap.
#
# Cached: the root filesystem is kept as a tarball under $REVIEW_BOT_IMAGE_CACHE (default
# ~/.cache/review-bot-image); a tarball or an image made from a different recipe (BASE_RECIPE)
# is not reused. Delete the folder to start afresh.
set -euo pipefail

SUITE=bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PACKAGES=python3,python3-venv,git,ca-certificates
# Change this when the recipe below changes: it names the tarball and the image tag.
BASE_RECIPE="${SUITE}-py311-v1"
TAG="${1:-review-bot-base:${BASE_RECIPE}}"
CACHE="${REVIEW_BOT_IMAGE_CACHE:-${HOME}/.cache/review-bot-image}"
TARBALL="${CACHE}/rootfs-${BASE_RECIPE}.tar"

log() { printf 'image-base: %s\n' "$*" >&2; }

if docker image inspect "${TAG}" >/dev/null 2>&1; then
    log "reusing image ${TAG}"
    echo "${TAG}"
    exit 0
fi

mkdir -p "${CACHE}"
if [ ! -s "${TARBALL}" ]; then
    command -v debootstrap >/dev/null || { log "debootstrap is missing (apt-get install debootstrap)"; exit 1; }
    rootfs="$(mktemp -d "${CACHE}/rootfs.XXXXXX")"
    # Remove a half-made root filesystem on any exit (the tarball is only renamed into place
    # once complete, so an interrupted run never leaves a cache entry behind).
    trap 'rm -rf "${rootfs}" "${TARBALL}.tmp"' EXIT
    log "debootstrap ${SUITE} (${PACKAGES}) from ${MIRROR}: a few minutes, once"
    debootstrap --variant=minbase --include="${PACKAGES}" "${SUITE}" "${rootfs}" "${MIRROR}" \
        >"${CACHE}/debootstrap.log" 2>&1 || { tail -20 "${CACHE}/debootstrap.log" >&2; exit 1; }
    # Where python:3.11-slim has its interpreter.
    ln -sf /usr/bin/python3 "${rootfs}/usr/local/bin/python3"
    ln -sf /usr/bin/python3 "${rootfs}/usr/local/bin/python"
    # What the official slim images leave out too: package lists, caches, docs.
    rm -rf "${rootfs}"/var/lib/apt/lists/* "${rootfs}"/var/cache/apt/*.bin \
        "${rootfs}"/var/cache/apt/archives/*.deb "${rootfs}"/usr/share/doc/* "${rootfs}"/usr/share/man/*
    tar --numeric-owner -C "${rootfs}" -cf "${TARBALL}.tmp" .
    mv "${TARBALL}.tmp" "${TARBALL}"
    rm -rf "${rootfs}"
    trap - EXIT
fi

log "docker import ${TARBALL} as ${TAG}"
docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    "${TARBALL}" "${TAG}" >/dev/null
echo "${TAG}"
