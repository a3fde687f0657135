# One image for the API, the worker and the migrate job (docker-compose.yml picks the
# command: `casusregie api`, `casusregie worker`, `casusregie migrate`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CASUSREGIE_DATA_DIR=/data \
    CASUSREGIE_LOG_JSON=true

RUN useradd --create-home --uid 10001 app \
    && mkdir -p /data \
    && chown app /data

WORKDIR /app
COPY . .
# editable: templates/, static/ and db/migrations/ are read from /app at run time
RUN pip install -e . && chown -R app /app/*.egg-info

USER app
VOLUME ["/data"]
EXPOSE 8000
CMD ["casusregie", "api"]
