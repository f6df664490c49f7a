# Production image: gunicorn serves the app and its static files (whitenoise); the same image runs Celery.
FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings VAR_DIR=/var/lib/gradservice STATIC_ROOT=/app/staticfiles
RUN groupadd --system app && useradd --system --gid app --home /app app
# pg_dump/pg_restore 15 (bookworm's), matching the compose file's postgres:15, for `manage.py backup`/`restore_drill`.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt .
COPY --from=frontend /build/node_modules ./node_modules
COPY . .
# collectstatic only: the published development keys of core/crypto.py (no data is touched at build time).
RUN SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused/unused \
    FIELD_ENCRYPTION_KEY=1:REVWLU9OTFktc200LWtleQ== BLIND_INDEX_KEY=REVWRUxPUE1FTlQtT05MWS1ibGluZC1pbmRleC1rZXk= \
    python manage.py collectstatic --noinput \
    && mkdir -p /var/lib/gradservice && chown app:app /var/lib/gradservice
USER app
EXPOSE 8000
# gunicorn.conf.py: the access log leaves query strings out (they could carry an ID number or a phone).
CMD ["gunicorn", "config.wsgi", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000", "--workers", "3"]
