# syntax=docker/dockerfile:1
#
# One image for the five services and the `snt` operator command:
#   python -m services.ingest | services.kpi | services.flex | services.alerts |
#   services.dashboard
#   snt topics create --bootstrap kafka:9092
# docker-compose.yml picks the command per service. See docs/deployment.md.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: resolve the locked environment into /app/.venv -------------------------------
FROM ${PYTHON_IMAGE} AS build

ARG UV_VERSION=0.13.9
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PIP_NO_CACHE_DIR=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv

RUN pip install "uv==${UV_VERSION}"

WORKDIR /src

# Dependencies first (their layer survives source changes), exactly as locked: --frozen
# installs uv.lock as it is and fails instead of re-resolving.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project --no-editable

# Then the project itself, installed as a wheel so the runtime needs no source tree.
COPY shared ./shared
COPY services ./services
COPY snt ./snt
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

# --- runtime: the interpreter, the environment and an unprivileged user ----------------
FROM ${PYTHON_IMAGE} AS runtime

# Pango and fonts for the PDF packs (WeasyPrint lays the HTML out with them).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 snt \
    && useradd --system --uid 10001 --gid snt --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin snt

# Owned by root and read-only for the service user: the code cannot be modified at run time.
COPY --from=build /app/.venv /app/.venv

ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app
USER 10001:10001

# ingest, kpi, flex, alerts, dashboard (the defaults of SNT_<SERVICE>_HTTP_PORT)
EXPOSE 8101 8102 8103 8104 8105

CMD ["snt", "--help"]
