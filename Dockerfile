# syntax=docker/dockerfile:1
# One image for every role; the role is the command (see docs/deploy.md):
#   docker run IMAGE                    -> storyreel serve   (API + studio on :8000)
#   docker run IMAGE worker -Q cpu,io,llm   (Celery worker for those queues)
#   docker run IMAGE migrate            -> create or upgrade the database schema, then exit
#
# Build:  docker build -t storyreel .
#   --build-arg BASE_IMAGE=...   the Python 3.11+ base of the build and runtime stages
#                                (default: the public python:3.11-slim; a locally made
#                                Debian base with python3 works too)
#   --build-arg NODE_IMAGE=...   the base that builds the web studio
#   --build-arg EXTRAS=...       the storyreel extras to install (comma-separated)

ARG BASE_IMAGE=python:3.11-slim
ARG NODE_IMAGE=node:22-slim

# --- 1. the web studio (web/dist) ---------------------------------------------------------
FROM ${NODE_IMAGE} AS studio
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
# Playwright is a devDependency for the e2e tests: never download a browser here.
RUN PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
COPY web/ ./
RUN npm run build && test -f dist/index.html

# --- 2. wheels: storyreel and every dependency ---------------------------------------------
FROM ${BASE_IMAGE} AS build
ARG EXTRAS=celery
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY pyproject.toml README.md ./
COPY storyreel/ storyreel/
# The storyreel wheel plus wheels of its dependencies, so the runtime stage installs offline
# from /wheels and needs no compiler or build tools.
RUN python -m pip wheel --wheel-dir /wheels ".[${EXTRAS}]"

# --- 3. runtime ------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS runtime
ARG EXTRAS=celery
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# Debian's Noto CJK fonts (a well-kept source of CJK glyphs for subtitles and sketches):
# storyreel.media.fonts prefers this apt-verified Noto Sans CJK over the pinned copy bundled in
# the wheel; the bundled fallbacks (emoji, Arabic, Hebrew, Indic scripts...) are used as they are.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 storyreel \
    && useradd --system --uid 10001 --gid storyreel --home-dir /home/storyreel \
       --create-home --shell /usr/sbin/nologin storyreel \
    && mkdir -p /data \
    && chown storyreel:storyreel /data

RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --no-index --find-links /wheels "storyreel[${EXTRAS}]" \
    && storyreel --version

COPY --from=studio /src/web/dist /opt/storyreel/studio
COPY deploy/docker/healthcheck.py /opt/storyreel/healthcheck.py

# Settings that make the container a server; everything else is STORYREEL_* at run time.
ENV STORYREEL_DATA_DIR=/data \
    STORYREEL_HOST=0.0.0.0 \
    STORYREEL_PORT=8000 \
    STORYREEL_STUDIO_DIR=/opt/storyreel/studio \
    STORYREEL_LOG_FORMAT=json \
    HOME=/home/storyreel

VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8000

# Python, not curl: the slim image has no curl. Non-API roles report healthy (see the script).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/opt/storyreel/healthcheck.py", "/healthz"]

ENTRYPOINT ["storyreel"]
CMD ["serve"]
