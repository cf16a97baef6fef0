# Lotse – production image. Multi-stage: build wheels with the toolchain, run slim as non-root.
FROM python:3.11-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
COPY requirements.lock pyproject.toml README.md ./
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.lock
COPY api ./api
COPY recommender ./recommender
COPY models ./models
COPY frontend ./frontend
COPY data ./data
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps .

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 curl && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 lotse
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LOTSE_ENVIRONMENT=production \
    LOTSE_HOST=0.0.0.0 \
    LOTSE_PORT=8000 \
    LOTSE_VAR_DIR=/var/lib/lotse \
    LOTSE_MODELS_DIR=/var/lib/lotse/models
# Production uses PostgreSQL, e.g.
#   LOTSE_DATABASE_URL=postgresql+psycopg://lotse@db:5432/lotse  LOTSE_SECRET_KEY=<long random value>
RUN mkdir -p /var/lib/lotse && chown lotse /var/lib/lotse
USER lotse
WORKDIR /home/lotse
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["sh", "-c", "lotse db upgrade && lotse seed && exec lotse serve"]
