# syntax=docker/dockerfile:1.7
# Multi-stage build: front-end assets (node), Python wheels, then a slim non-root runtime.

FROM node:20.20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/ scripts/
COPY static/ static/
RUN npm run --silent build

FROM python:3.11.7-slim-bookworm AS wheels
WORKDIR /src
RUN pip install --no-cache-dir "pip==24.3.1"
COPY pyproject.toml requirements.lock README.md ./
COPY apps/ apps/
COPY config/ config/
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c requirements.lock .

FROM python:3.11.7-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PORT=8000
RUN groupadd --system rcc && useradd --system --gid rcc --home /app --shell /usr/sbin/nologin rcc
WORKDIR /app
COPY --from=wheels /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels rcc-platform && rm -rf /wheels
COPY --chown=rcc:rcc manage.py ./
COPY --chown=rcc:rcc config/ config/
COPY --chown=rcc:rcc apps/ apps/
COPY --chown=rcc:rcc templates/ templates/
COPY --chown=rcc:rcc data/ data/
COPY --chown=rcc:rcc static/ static/
COPY --from=assets --chown=rcc:rcc /src/static/build static/build
# collectstatic needs settings that import cleanly; the values are build-time placeholders only.
RUN SECRET_KEY=build-only-$(python -c "import secrets; print(secrets.token_urlsafe(48))") \
    ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown rcc:rcc /app/media
ENV MEDIA_ROOT=/app/media
USER rcc
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD \
    python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["gunicorn", "config.wsgi:application", "--config", "config/gunicorn.conf.py"]
