#!/usr/bin/env bash
# Build the review-bot image on this machine and run it the ways a user would. Exits non-zero
# on the first failure; removes every container it started.
#
#   scripts/test-image.sh
#
# What it checks, in order:
#   1. the build: from requirements.lock (hashes), the host's CA bundle handed to pip as a
#      BuildKit secret (never in a layer); then a rebuild with one source file changed must
#      reuse the dependency layer (layer order);
#   2. the image: numeric non-root USER, entrypoint review-bot, `review-bot --version`, the
#      analyzers' executables;
#   3. `review-bot demo` + `review-bot review` inside the container, as uid 10001, with a
#      read-only root filesystem and a tmpfs on /tmp: findings from ruff, bandit, semgrep and
#      detect-secrets, exit 1 with --fail-on error, 0 with --fail-on never;
#   4. `serve` (read-only, tmpfs, key from a mounted file): /health (and /ready when served)
#      polled with a deadline, the image's HEALTHCHECK reaching "healthy", a signed ping
#      delivery answered 200 and a wrongly signed one 401, a clean exit on `docker stop`;
#   5. compose (when `docker compose` or docker-compose is there; as root on Debian it installs
#      docker-compose): deploy/compose.yaml with Redis, two receivers and two workers, secrets
#      from files, all healthy, read-only as uid 10001; a signed ping through a receiver
#      answered 200 (a wrongly signed one 401); the stack removed. Without a registry, Redis is
#      a local stand-in from Debian's redis packages (REDIS_IMAGE=redis:7.4-alpine for the real);
#   6. the image size, printed.
#
# Machines that reach no image registry (like CI's): the base is a local stand-in for
# python:3.11-slim-bookworm made with debootstrap (scripts/image-base.sh, cached under
# ~/.cache/review-bot-image). Where the registry is reachable, use the real base:
#   BASE_IMAGE=python:3.11-slim-bookworm scripts/test-image.sh
#
# Needs: root (or a user in the docker group) and a Docker engine with BuildKit (Docker 23+ with
# buildx, or Docker 20.10 with DOCKER_BUILDKIT=1, which this script sets). As root on Debian it
# installs docker.io and debootstrap when missing and starts dockerd when none answers (and
# stops it again at the end; KEEP_DOCKERD=1 leaves it running).
#
# Environment: BASE_IMAGE, IMAGE (tag to build, default review-bot:test), CA_BUNDLE (default
# the system bundle), PIP_INDEX_URL (passed to the build when set), DOCKER (the client),
# REDIS_IMAGE (the compose stack's Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

IMAGE="${IMAGE:-review-bot:test}"
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
CACHE="${REVIEW_BOT_IMAGE_CACHE:-${HOME}/.cache/review-bot-image}"
RUN_ID="rbtest-$$"
START_S=${SECONDS}
WORK="$(mktemp -d)"
STARTED_DOCKERD=""
CONTAINERS=()

say() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
note() { printf '   NOTE: %s\n' "$*"; }
fail() {
    printf '   FAIL: %s\n' "$*" >&2
    exit 1
}

cleanup() {
    local status=$?
    for name in "${CONTAINERS[@]}"; do
        docker rm --force "${name}" >/dev/null 2>&1 || true
    done
    docker rmi --force "${IMAGE}-layer-probe" >/dev/null 2>&1 || true
    if [ -n "${COMPOSE_PROJECT:-}" ]; then
        compose down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1 || true
    fi
    rm -rf "${WORK}"
    if [ -n "${STARTED_DOCKERD}" ] && [ -z "${KEEP_DOCKERD:-}" ]; then
        kill "${STARTED_DOCKERD}" 2>/dev/null || true
        wait "${STARTED_DOCKERD}" 2>/dev/null || true
    fi
    if [ "${status}" -eq 0 ]; then
        printf '\ntest-image: all checks passed in %ss\n' "$((SECONDS - START_S))"
    else
        printf '\ntest-image: FAILED (exit %s) after %ss\n' "${status}" "$((SECONDS - START_S))" >&2
    fi
}
trap cleanup EXIT

# --- the engine -----------------------------------------------------------------------------
ensure_tools() {
    local missing=()
    command -v dockerd >/dev/null || command -v docker >/dev/null || missing+=(docker.io)
    if [ -z "${BASE_IMAGE:-}" ]; then command -v debootstrap >/dev/null || missing+=(debootstrap); fi
    [ "${#missing[@]}" -eq 0 ] && return
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then fail "install ${missing[*]} first"; fi
    say "installing ${missing[*]} (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_engine() {
    if docker info >/dev/null 2>&1; then return; fi
    if [ "$(id -u)" -ne 0 ] || ! command -v dockerd >/dev/null; then fail "no Docker engine answers"; fi
    say "starting dockerd (log: ${CACHE}/dockerd.log)"
    mkdir -p "${CACHE}"
    dockerd >"${CACHE}/dockerd.log" 2>&1 &
    STARTED_DOCKERD=$!
    local end=$((SECONDS + 60))
    until docker info >/dev/null 2>&1; do
        kill -0 "${STARTED_DOCKERD}" 2>/dev/null || { tail -20 "${CACHE}/dockerd.log" >&2; fail "dockerd exited"; }
        [ "${SECONDS}" -lt "${end}" ] || fail "dockerd did not answer within 60 s"
        sleep 0.5
    done
}

# A client that builds with BuildKit: one with the buildx plugin, else one older than 23 (whose
# `docker build` has BuildKit built in with DOCKER_BUILDKIT=1). A 23+ client without buildx
# has only the legacy builder, which knows no --secret.
BUILD=()
pick_builder() {
    local client major
    for client in ${DOCKER:-} docker /usr/bin/docker; do
        command -v "${client}" >/dev/null || continue
        if "${client}" buildx version >/dev/null 2>&1; then
            BUILD=("${client}" buildx build --load)
            return
        fi
        major="$("${client}" version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)"
        if [ -n "${major}" ] && [ "${major}" -lt 23 ] 2>/dev/null; then
            BUILD=(env DOCKER_BUILDKIT=1 "${client}" build)
            return
        fi
    done
    fail "no docker client that builds with BuildKit (install the buildx plugin)"
}

# --- build ----------------------------------------------------------------------------------
build_image() { # build_image TAG CONTEXT LOG
    local args=(--progress=plain --build-arg "BASE_IMAGE=${BASE_IMAGE}" -t "$1")
    [ -n "${PIP_INDEX_URL:-}" ] && args+=(--build-arg "PIP_INDEX_URL=${PIP_INDEX_URL}")
    [ -s "${CA_BUNDLE}" ] && args+=(--secret "id=ca,src=${CA_BUNDLE}")
    if ! "${BUILD[@]}" "${args[@]}" "$2" >"$3" 2>&1; then
        tail -40 "$3" >&2
        fail "docker build (full log: $3)"
    fi
}

# The BuildKit step (plain progress) whose command contains $2: was it CACHED in log $1?
step_cached() {
    local step
    step="$(grep -E '^#[0-9]+ \[.*\] RUN ' "$1" | grep -F -- "$2" | head -1 | cut -d' ' -f1)"
    [ -n "${step}" ] || fail "no step running '$2' in $1"
    grep -qE "^${step} CACHED\$" "$1"
}

ensure_tools
ensure_engine
pick_builder
mkdir -p "${CACHE}"

if [ -z "${BASE_IMAGE:-}" ]; then
    say "base: local python:3.11-slim-bookworm stand-in (debootstrap)"
    t0=${SECONDS}
    BASE_IMAGE="$(scripts/image-base.sh)"
    ok "${BASE_IMAGE} ($((SECONDS - t0))s)"
fi

say "build ${IMAGE} from ${BASE_IMAGE} (${BUILD[*]})"
if [ -s "${CA_BUNDLE}" ]; then ok "CA bundle ${CA_BUNDLE} as BuildKit secret 'ca'"; else note "no CA bundle at ${CA_BUNDLE}"; fi
previous="$(docker image inspect -f '{{.Id}}' "${IMAGE}" 2>/dev/null || true)"
t0=${SECONDS}
build_image "${IMAGE}" . "${CACHE}/build.log"
BUILD_S=$((SECONDS - t0))
# The image this tag named before, now untagged: remove it (only it; other images are not ours).
if [ -n "${previous}" ] && [ "${previous}" != "$(docker image inspect -f '{{.Id}}' "${IMAGE}")" ]; then
    docker rmi "${previous}" >/dev/null 2>&1 || true
fi
if step_cached "${CACHE}/build.log" "requirements.lock"; then
    ok "built in ${BUILD_S}s (dependency layer from cache: warm)"
else
    ok "built in ${BUILD_S}s (dependencies installed: cold)"
fi
# The CA bundle must not be in any layer: pip saw it only through the secret mount. Look for a
# file of its size and hash anywhere in the image.
if [ -s "${CA_BUNDLE}" ]; then
    ca_sum="$(sha256sum "${CA_BUNDLE}" | cut -d' ' -f1)"
    if docker run --rm --entrypoint sh "${IMAGE}" -c \
        "find / -xdev -type f -size $(stat -c %s "${CA_BUNDLE}")c -exec sha256sum {} + 2>/dev/null" |
        grep -q "^${ca_sum} "; then
        fail "the build's CA bundle is in the image"
    fi
    ok "the CA bundle is in no layer of the image"
fi

say "layer order: a source change reuses the dependency layer"
mkdir -p "${WORK}/ctx"
tar -cf - Dockerfile .dockerignore pyproject.toml README.md requirements.lock analyzers bot handlers |
    tar -xf - -C "${WORK}/ctx"
printf '\n# layer-order probe %s\n' "${RUN_ID}" >>"${WORK}/ctx/bot/__init__.py"
t0=${SECONDS}
build_image "${IMAGE}-layer-probe" "${WORK}/ctx" "${CACHE}/build-layer-probe.log"
step_cached "${CACHE}/build-layer-probe.log" "requirements.lock" ||
    fail "the dependency layer was rebuilt after a source change (see ${CACHE}/build-layer-probe.log)"
step_cached "${CACHE}/build-layer-probe.log" "--no-index" &&
    fail "the source layer was not rebuilt: the probe changed nothing"
ok "dependencies cached, source layer rebuilt ($((SECONDS - t0))s)"
# And the new image re-ships only the bot: it differs from the first in one layer, not the venv's.
layers() { docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$1"; }
changed="$(diff <(layers "${IMAGE}") <(layers "${IMAGE}-layer-probe") | grep -c '^>' || true)"
[ "${changed}" -eq 1 ] || fail "a source change altered ${changed} image layers, expected 1 (the bot's)"
ok "the two images differ in one layer: the bot's ($(docker history -q "${IMAGE}" | wc -l) in all)"
docker rmi --force "${IMAGE}-layer-probe" >/dev/null

# --- the image ------------------------------------------------------------------------------
say "image configuration"
user="$(docker image inspect -f '{{.Config.User}}' "${IMAGE}")"
[[ "${user}" =~ ^[0-9]+(:[0-9]+)?$ ]] || fail "USER '${user}' is not numeric"
[ "${user%%:*}" -ne 0 ] || fail "USER is root"
uid="$(docker run --rm --entrypoint id "${IMAGE}" -u)"
[ "${uid}" = "${user%%:*}" ] || fail "runs as uid ${uid}, USER says ${user}"
ok "USER ${user}, runs as uid ${uid}"
entrypoint="$(docker image inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' "${IMAGE}")"
[ "${entrypoint}" = '["review-bot"] ["serve"]' ] || fail "entrypoint/cmd: ${entrypoint}"
ok "entrypoint ${entrypoint}"

want_version="$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
if docker run --rm "${IMAGE}" --help | grep -q -- '--version'; then
    version="$(docker run --rm "${IMAGE}" --version)"
    [[ "${version}" == *"${want_version}"* ]] || fail "review-bot --version says '${version}', pyproject ${want_version}"
    ok "review-bot --version: ${version}"
else
    version="$(docker run --rm --entrypoint python "${IMAGE}" -c \
        'import importlib.metadata as m; print(m.version("autogen-review-bot"))')"
    [ "${version}" = "${want_version}" ] || fail "installed version ${version}, pyproject ${want_version}"
    note "review-bot has no --version yet (issue 11, item 7); installed distribution is ${version}"
fi
tools="$(docker run --rm --read-only --tmpfs /tmp --entrypoint sh "${IMAGE}" -c \
    'git --version && ruff --version && shellcheck --version | sed -n 2p && hadolint --version && python -I -m bandit --version | head -1 && prlimit --version')"
printf '%s\n' "${tools}" | sed 's/^/   | /'
ok "git and the analyzers' executables run"

# --- the demo review, read-only ---------------------------------------------------------------
say "demo review inside the container (uid ${uid}, --read-only, tmpfs /tmp)"
RO=(--read-only --tmpfs "/tmp:rw,nosuid,nodev,size=256m")
docker run --rm "${RO[@]}" --entrypoint sh "${IMAGE}" -c \
    'touch /opt/venv/probe 2>/dev/null && exit 9; touch /tmp/probe' ||
    fail "root filesystem writable, or /tmp not writable"
ok "root filesystem read-only, /tmp writable"
status=0
docker run --rm "${RO[@]}" --entrypoint sh "${IMAGE}" -c \
    'review-bot demo /tmp/d >/dev/null 2>&1 && review-bot review /tmp/d --base main --fail-on error' \
    >"${WORK}/review.txt" 2>&1 || status=$?
sed 's/^/   | /' "${WORK}/review.txt" | tail -4
[ "${status}" -eq 1 ] || { cat "${WORK}/review.txt" >&2; fail "review --fail-on error exited ${status}, expected 1"; }
for tool in ruff bandit semgrep detect-secrets; do
    grep -qE "(\[|, )${tool}( |\])" "${WORK}/review.txt" || fail "no ${tool} finding in the demo review"
done
ok "findings from ruff, bandit, semgrep, detect-secrets; exit 1 with --fail-on error"
docker run --rm "${RO[@]}" --entrypoint sh "${IMAGE}" -c \
    'review-bot demo /tmp/d >/dev/null 2>&1 && review-bot review /tmp/d --base main --fail-on never' >/dev/null ||
    fail "review --fail-on never exited non-zero"
ok "exit 0 with --fail-on never"
# The way a user reviews a checkout on the host: mounted read-only, run as its owner (git
# refuses a repository owned by another uid: "dubious ownership").
mkdir -p "${WORK}/host"
docker run --rm -u "$(id -u):$(id -g)" -v "${WORK}/host:/w" "${IMAGE}" demo /w/demo >/dev/null 2>&1 ||
    fail "review-bot demo into a mounted folder"
status=0
docker run --rm "${RO[@]}" -u "$(id -u):$(id -g)" -v "${WORK}/host/demo:/src:ro" "${IMAGE}" \
    review /src --base main --fail-on error >"${WORK}/review-mounted.txt" 2>&1 || status=$?
[ "${status}" -eq 1 ] || { cat "${WORK}/review-mounted.txt" >&2; fail "review of a mounted repository exited ${status}"; }
ok "review of a host checkout mounted read-only (-u $(id -u):$(id -g)): $(tail -1 "${WORK}/review-mounted.txt")"

# --- serve ----------------------------------------------------------------------------------
say "serve (read-only, tmpfs /tmp, key from a mounted file)"
# A throwaway App key, made by the image's own cryptography: no host tool needed.
docker run --rm --entrypoint python "${IMAGE}" -c '
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
print(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption()).decode(), end="")' >"${WORK}/app.pem"
chmod 0644 "${WORK}/app.pem" # readable by uid 10001 through the bind mount; a test key only
# Handed over in the environment (docker run -e NAME, image_probe.py), never in an argv.
WEBHOOK_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
GITHUB_WEBHOOK_SECRET="${WEBHOOK_SECRET}"
export WEBHOOK_SECRET GITHUB_WEBHOOK_SECRET
serve="${RUN_ID}-serve"
CONTAINERS+=("${serve}")
docker run -d --name "${serve}" "${RO[@]}" -p 127.0.0.1::8080 \
    --health-interval 2s --health-start-period 30s \
    -e GITHUB_APP_ID=12345 -e GITHUB_WEBHOOK_SECRET -e GITHUB_PRIVATE_KEY_PATH=/run/secrets/app.pem \
    -v "${WORK}/app.pem:/run/secrets/app.pem:ro" "${IMAGE}" >/dev/null
[ "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}}' "${serve}")" = true ] || fail "serve not read-only"
port="$(docker port "${serve}" 8080/tcp | head -1 | sed 's/.*://')"
base="http://127.0.0.1:${port}"
end=$((SECONDS + 60))
until [ "$(python3 scripts/image_probe.py status "${base}/health")" = 200 ]; do
    if [ "$(docker inspect -f '{{.State.Running}}' "${serve}")" != true ] || [ "${SECONDS}" -ge "${end}" ]; then
        docker logs "${serve}" 2>&1 | tail -20 >&2
        fail "/health did not answer 200 (container running: $(docker inspect -f '{{.State.Running}}' "${serve}"))"
    fi
    sleep 0.5
done
ok "/health 200"
ready="$(python3 scripts/image_probe.py status "${base}/ready")"
case "${ready}" in
200) ok "/ready 200" ;;
404) note "/ready is not served yet (404): only /health tested" ;;
*) fail "/ready answered ${ready}" ;;
esac
end=$((SECONDS + 60))
until [ "$(docker inspect -f '{{.State.Health.Status}}' "${serve}")" = healthy ]; do
    [ "${SECONDS}" -lt "${end}" ] || fail "HEALTHCHECK not healthy within 60 s"
    sleep 1
done
ok "HEALTHCHECK healthy"
ping_payload=tests/fixtures/github-webhooks/ping/with-app_id.json
code="$(python3 scripts/image_probe.py webhook "${base}/webhook" "${ping_payload}" ping)"
[ "${code}" = 200 ] || fail "signed ping answered ${code}, expected 200"
code="$(python3 scripts/image_probe.py webhook "${base}/webhook" "${ping_payload}" ping --bad-signature)"
[ "${code}" = 401 ] || fail "wrongly signed ping answered ${code}, expected 401"
ok "signed ping 200, wrongly signed ping 401"
docker stop -t 20 "${serve}" >/dev/null
exit_code="$(docker inspect -f '{{.State.ExitCode}}' "${serve}")"
[ "${exit_code}" -eq 0 ] || { docker logs "${serve}" 2>&1 | tail -20 >&2; fail "serve exited ${exit_code} on SIGTERM"; }
ok "clean exit (0) on docker stop"

# --- compose: Redis, two receivers, two workers (deploy/compose.yaml) --------------------------
COMPOSE=()
COMPOSE_PROJECT=""
pick_compose() {
    if docker compose version >/dev/null 2>&1; then
        COMPOSE=(docker compose)
    elif command -v docker-compose >/dev/null; then
        COMPOSE=(docker-compose)
    elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
        # Debian's docker-compose (v1, Python) reads the same file; the v2 plugin is not packaged.
        note "no compose: installing Debian's docker-compose (apt-get)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose; } \
            >"${WORK}/apt-compose.log" 2>&1 || true
        if command -v docker-compose >/dev/null; then COMPOSE=(docker-compose); fi
    fi
}

# A Redis image without a registry: the host's Debian redis packages, unpacked on the host
# (dpkg -x: no maintainer scripts) and copied onto the same local base; uid 999 as in the
# official image.
redis_standin() { # redis_standin TAG
    local ctx="${WORK}/redis-ctx" deb dir
    local packages=(redis-server redis-tools liblzf1 libjemalloc2 libatomic1)
    mkdir -p "${ctx}/debs" "${ctx}/root"
    if ! (cd "${ctx}/debs" && apt-get download "${packages[@]}" >"${WORK}/apt-redis.log" 2>&1); then
        [ "$(id -u)" -eq 0 ] && apt-get update -qq >/dev/null 2>&1
        (cd "${ctx}/debs" && apt-get download "${packages[@]}" >"${WORK}/apt-redis.log" 2>&1) || return 1
    fi
    for deb in "${ctx}"/debs/*.deb; do dpkg -x "${deb}" "${ctx}/root"; done
    # The base is merged-/usr (/lib -> usr/lib, ...): files packaged under /lib go to /usr/lib.
    for dir in bin sbin lib lib64; do
        if [ -d "${ctx}/root/${dir}" ] && [ ! -L "${ctx}/root/${dir}" ]; then
            mkdir -p "${ctx}/root/usr/${dir}"
            cp -a "${ctx}/root/${dir}/." "${ctx}/root/usr/${dir}/"
            rm -rf "${ctx:?}/root/${dir}"
        fi
    done
    rm -rf "${ctx}/debs" "${ctx}/root/etc" "${ctx}/root/usr/share/doc" "${ctx}/root/usr/share/man"
    cat >"${ctx}/Dockerfile" <<'DOCKERFILE'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY root/ /
RUN groupadd --system --gid 999 redis \
    && useradd --system --uid 999 --gid 999 --home-dir /data --shell /usr/sbin/nologin redis \
    && mkdir /data && chown 999:999 /data \
    && redis-server --version && redis-cli --version
USER 999:999
WORKDIR /data
CMD ["redis-server"]
DOCKERFILE
    build_image "$1" "${ctx}" "${CACHE}/build-redis.log"
}

compose() {
    "${COMPOSE[@]}" -p "${COMPOSE_PROJECT}" -f deploy/compose.yaml -f "${WORK}/compose.test.yaml" "$@"
}

# The container of one service of the stack, and its health.
compose_health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$(compose ps -q "$1")" 2>/dev/null; }

say "compose: Redis, two receivers, two workers (deploy/compose.yaml)"
pick_compose
if [ "${#COMPOSE[@]}" -eq 0 ]; then
    note "SKIPPED: neither \`docker compose\` nor docker-compose is installed (apt-get install docker-compose)"
else
    ok "${COMPOSE[*]} ($("${COMPOSE[@]}" version --short 2>/dev/null || echo '?'))"
    if [ -z "${REDIS_IMAGE:-}" ]; then
        REDIS_IMAGE=review-bot-redis:test
        if docker image inspect "${REDIS_IMAGE}" >/dev/null 2>&1; then
            ok "Redis: ${REDIS_IMAGE} (local stand-in, cached)"
        else
            redis_standin "${REDIS_IMAGE}" || fail "no Redis image: set REDIS_IMAGE, or apt-get download redis-server (${WORK}/apt-redis.log)"
            ok "Redis: ${REDIS_IMAGE} (local stand-in from Debian's packages)"
        fi
    fi
    services=(redis receiver-1 receiver-2 worker-1 worker-2)
    if ! docker run --rm "${IMAGE}" --help | grep -w worker >/dev/null; then
        services=(redis receiver-1 receiver-2)
        note "review-bot has no \`worker\` command yet: receivers and Redis only"
    fi
    mkdir -p "${WORK}/compose-secrets"
    cp "${WORK}/app.pem" "${WORK}/compose-secrets/github-app.pem"
    printf %s "${WEBHOOK_SECRET}" >"${WORK}/compose-secrets/webhook-secret"
    python3 -c 'import secrets; print(secrets.token_hex(32), end="")' >"${WORK}/compose-secrets/state-secret"
    chmod 0644 "${WORK}"/compose-secrets/* # read by uid 10001 through the bind mounts; test values
    # One receiver published on an ephemeral loopback port: where a reverse proxy would connect.
    printf 'services:\n  receiver-1:\n    ports: ["127.0.0.1::8080"]\n' >"${WORK}/compose.test.yaml"
    COMPOSE_PROJECT="${RUN_ID}"
    export REVIEW_BOT_IMAGE="${IMAGE}" REDIS_IMAGE GITHUB_APP_ID=12345 \
        GITHUB_APP_KEY_FILE="${WORK}/compose-secrets/github-app.pem" \
        GITHUB_WEBHOOK_SECRET_FILE="${WORK}/compose-secrets/webhook-secret" \
        STATE_SECRET_FILE="${WORK}/compose-secrets/state-secret"
    t0=${SECONDS}
    compose up -d "${services[@]}" >"${WORK}/compose-up.log" 2>&1 || {
        cat "${WORK}/compose-up.log" >&2
        compose logs --tail 20 >&2 || true
        fail "compose up"
    }
    end=$((SECONDS + 120))
    for service in "${services[@]}"; do
        until [ "$(compose_health "${service}")" = healthy ]; do
            if [ "${SECONDS}" -ge "${end}" ]; then
                compose logs --tail 20 "${service}" >&2 || true
                fail "${service} not healthy within 120 s ($(compose_health "${service}"))"
            fi
            sleep 1
        done
    done
    ok "${services[*]}: healthy ($((SECONDS - t0))s)"
    for service in "${services[@]:1}"; do
        cid="$(compose ps -q "${service}")"
        [ "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}} {{.Config.User}}' "${cid}")" = "true 10001:10001" ] ||
            fail "${service}: not read-only as uid 10001"
    done
    ok "the bot's containers: read-only root, uid 10001"
    port="$(compose port receiver-1 8080 | tail -1 | sed 's/.*://')"
    base="http://127.0.0.1:${port}"
    ready="$(python3 scripts/image_probe.py status "${base}/ready")"
    case "${ready}" in
    200) ok "receiver-1 /ready 200 (Redis reached)" ;;
    404) note "/ready is not served yet (404)" ;;
    *) fail "receiver-1 /ready answered ${ready}" ;;
    esac
    code="$(python3 scripts/image_probe.py webhook "${base}/webhook" "${ping_payload}" ping)"
    [ "${code}" = 200 ] || { compose logs --tail 20 receiver-1 >&2; fail "signed ping through receiver-1 answered ${code}, expected 200"; }
    code="$(python3 scripts/image_probe.py webhook "${base}/webhook" "${ping_payload}" ping --bad-signature)"
    [ "${code}" = 401 ] || fail "wrongly signed ping through receiver-1 answered ${code}, expected 401"
    ok "signed ping through receiver-1: 200 (webhook secret from its file); wrongly signed: 401"
    compose down --volumes --remove-orphans --timeout 20 >"${WORK}/compose-down.log" 2>&1 ||
        { cat "${WORK}/compose-down.log" >&2; fail "compose down"; }
    COMPOSE_PROJECT=""
    ok "stack removed (compose down --volumes)"
fi

# --- size -------------------------------------------------------------------------------------
say "size"
bytes="$(docker image inspect -f '{{.Size}}' "${IMAGE}")"
base_bytes="$(docker image inspect -f '{{.Size}}' "${BASE_IMAGE}")"
ok "${IMAGE}: $((bytes / 1000000)) MB (base ${BASE_IMAGE}: $((base_bytes / 1000000)) MB); build ${BUILD_S}s"
cd "${ROOT}"
