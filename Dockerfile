# SME Rank application image: web (gunicorn + whitenoise), worker and beat share it.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --create-home --uid 10001 smerank
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage \
    python manage.py collectstatic --no-input \
 && mkdir -p /app/media && chown -R smerank /app/media
USER smerank
EXPOSE 8000
CMD ["gunicorn", "smerank.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
