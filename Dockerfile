# The review bot's webhook server.
#   docker build -t review-bot .
#   docker run -p 8080:8080 -e GITHUB_APP_ID=... -e GITHUB_WEBHOOK_SECRET=... \
#     -e GITHUB_PRIVATE_KEY_PATH=/run/secrets/app.pem -v "$PWD/app.pem:/run/secrets/app.pem:ro" review-bot
#
# Pinned to Debian bookworm: there util-linux (which provides prlimit, used to cap the size of
# what git writes) is Essential and so always present; git is installed below.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtual environment with the bot, ruff and bandit (all from wheels; no compiler)
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY analyzers ./analyzers
COPY bot ./bot
COPY handlers ./handlers
RUN /opt/venv/bin/pip install . && /opt/venv/bin/pip uninstall --yes pip setuptools

# --- runtime: the venv, git, and nothing of the build
FROM ${PYTHON_IMAGE}
# git fetches the head commit over HTTPS (git-remote-https is in the git package itself);
# no recommends: no ssh, no less, no perl extras. util-linux is listed only to make the
# dependency on prlimit explicit (already installed: Essential).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends git ca-certificates util-linux \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/reviewbot \
    --shell /usr/sbin/nologin reviewbot
COPY --from=build /opt/venv /opt/venv
# ruff is found beside the venv's python, bandit runs as `python -I -m bandit` from the venv.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=8080
USER reviewbot
WORKDIR /home/reviewbot
EXPOSE 8080
# No curl in the slim image: ask /health with the standard library (non-2xx or no answer: exit 1).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '8080'), timeout=4)"]
CMD ["review-bot", "serve"]
