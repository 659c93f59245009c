# syntax=docker/dockerfile:1
# The image runs the wheel and nothing else: no source tree at run time. tests/packaging builds
# the same wheel and runs it in the same layout (a read-only venv, a non-root user, /data).

# Stage 1: build the PWA.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# Stage 2: build the wheel (the PWA packed into it by setup.py) and wheels of its dependencies.
FROM python:3.11-slim-bookworm AS wheels
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md alembic.ini ./
COPY backend/ backend/
COPY --from=frontend /src/frontend/dist frontend/dist/
RUN pip wheel --no-deps --wheel-dir /wheels . \
    && pip wheel --wheel-dir /wheels /wheels/interlude-*.whl

# Stage 3: only the installed wheel. The venv belongs to root (read-only for the service);
# the service's user owns nothing but /data.
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/interlude/bin:$PATH \
    INTERLUDE_DATA_DIR=/data
# --no-index: "interlude" on PyPI is another project; only the wheels built above count.
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    python -m venv /opt/interlude \
    && /opt/interlude/bin/pip install --no-cache-dir --no-index --find-links /wheels \
        /wheels/interlude-*.whl \
    && /opt/interlude/bin/pip uninstall --yes pip \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin interlude \
    && mkdir -p /data && chown interlude:interlude /data && chmod 0700 /data
USER interlude
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"]
# `run` = migrate + API + PWA + embedded worker. Scaled: `serve` and `worker` (docs/deployment.md).
# Set INTERLUDE_BASE_URL to the public https address (deploy/, `interlude doctor`).
CMD ["interlude", "run", "--host", "0.0.0.0", "--port", "8000"]
