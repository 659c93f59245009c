# syntax=docker/dockerfile:1
# Stage 1: build the PWA.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund || npm install --no-save --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# Stage 2: the Python service, run as a non-root user.
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    INTERLUDE_DATA_DIR=/data \
    INTERLUDE_FRONTEND_DIST=/app/frontend/dist
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin interlude \
    && mkdir -p /data && chown interlude /data
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY backend/ backend/
COPY alembic/ alembic/
RUN pip install --no-compile . && rm -rf /root/.cache
COPY --from=frontend /src/frontend/dist /app/frontend/dist
USER interlude
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
# `run` = migrate + API + PWA + embedded worker. Scaled: `serve` and `worker` (docs/deployment.md).
CMD ["interlude", "run", "--host", "0.0.0.0", "--port", "8000"]
