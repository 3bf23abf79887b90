# The review bot: `review-bot serve` (the App's webhook server) by default, any other
# review-bot command as arguments. Needs BuildKit (Docker 23+ builds with it by default; on
# Docker 20.10 set DOCKER_BUILDKIT=1).
#
#   docker build -t review-bot .
#   docker run --read-only --tmpfs /tmp -p 8080:8080 \
#     -e GITHUB_APP_ID=... -e GITHUB_WEBHOOK_SECRET=... -e GITHUB_PRIVATE_KEY_PATH=/run/secrets/app.pem \
#     -v "$PWD/app.pem:/run/secrets/app.pem:ro" review-bot
#   docker run --rm --read-only --tmpfs /tmp -u "$(id -u):$(id -g)" -v "$PWD:/src:ro" \
#     review-bot review /src --base origin/main
# (-u: git refuses to read a repository owned by another uid, "dubious ownership".)
#
# Build arguments:
#   BASE_IMAGE     a Debian bookworm image with Python 3.11 and `python` on PATH. The default is
#                  the official image; scripts/test-image.sh passes a local debootstrap stand-in
#                  on machines that reach no image registry.
#   PIP_INDEX_URL  the package index (a mirror or proxy of PyPI).
# Build secret (optional): `--secret id=ca,src=/path/to/ca-bundle.pem`, the CA bundle pip
# trusts while installing, for networks whose HTTPS goes through an intercepting proxy. It is
# mounted only into the RUN that installs and never stored in a layer.
#
# Bookworm on purpose: there util-linux (prlimit caps what git writes) is Essential, so present.
# No `# syntax=` line: that would pull the Dockerfile frontend from a registry; the frontend
# built into BuildKit has everything used here.
ARG BASE_IMAGE=python:3.11-slim-bookworm

# --- deps: a virtual environment with the locked dependencies ---------------------------------
FROM ${BASE_IMAGE} AS deps
ARG PIP_INDEX_URL=https://pypi.org/simple
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PIP_INDEX_URL=${PIP_INDEX_URL}
# The bot itself goes to /opt/review-bot (below), put on the venv's path by a .pth file: so the
# image ships the dependencies and the bot as separate layers, and a change to the bot neither
# reinstalls nor re-ships the ~100 packages.
RUN python -m venv /opt/venv \
    && echo /opt/review-bot >"$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/review-bot.pth"
WORKDIR /src
# From the lock file alone: this layer (the slow one) stays cached until the lock changes.
# --require-hashes: every file pip installs is the one the lock names (scripts/lock.sh).
COPY requirements.lock ./
RUN --mount=type=secret,id=ca \
    if [ -s /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca; fi \
    && /opt/venv/bin/pip install --require-hashes --no-deps -r requirements.lock

# --- build: the bot, offline, with the locked setuptools ---------------------------------------
FROM deps AS build
COPY pyproject.toml README.md ./
COPY analyzers ./analyzers
COPY bot ./bot
COPY handlers ./handlers
# --no-index: the source layer never reaches the network. `pip check` sees the bot through the
# .pth file: a dependency missing from the lock fails here instead of at run time.
RUN /opt/venv/bin/pip install --no-index --no-deps --no-build-isolation --target /opt/review-bot . \
    && /opt/venv/bin/pip check \
    && PATH=/opt/review-bot/bin:$PATH review-bot --help >/dev/null

# --- venv: the dependencies without the build tools (pip and setuptools are not shipped) ------
FROM deps AS venv
RUN /opt/venv/bin/pip uninstall --yes --quiet pip setuptools

# --- runtime: the venv, git, an unprivileged user, and nothing of the build ------------------
FROM ${BASE_IMAGE}
# git fetches the head commit over HTTPS (git-remote-https is in the git package itself); no
# recommends: no ssh, no perl extras. A base that already has git (the local stand-in) skips
# apt, and so needs no network here. Not pinned to a Debian version (DL3008): bookworm's
# security updates replace the old version in the archive, and a pin would then fail to build.
# hadolint ignore=DL3008
RUN if ! command -v git >/dev/null 2>&1; then \
        apt-get update \
        && apt-get install --yes --no-install-recommends git ca-certificates \
        && rm -rf /var/lib/apt/lists/*; \
    fi
# A fixed numeric uid/gid: Kubernetes' runAsNonRoot can check a number, not a name.
RUN groupadd --system --gid 10001 reviewbot \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp \
        --shell /usr/sbin/nologin reviewbot
COPY --from=venv /opt/venv /opt/venv
COPY --from=build /opt/review-bot /opt/review-bot
# Nothing is written outside /tmp, so the root filesystem can be read-only (`--read-only
# --tmpfs /tmp`, or an emptyDir on /tmp in Kubernetes). HOME is /tmp too: git and the
# analyzers may look for a home directory; the analyzers get one of their own under TMPDIR.
ENV PATH=/opt/review-bot/bin:/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    PORT=8080
USER 10001:10001
WORKDIR /tmp
EXPOSE 8080
# No curl in the slim image: ask /health with the standard library (non-2xx or no answer: exit 1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8080'), timeout=4)"]
ENTRYPOINT ["review-bot"]
CMD ["serve"]
