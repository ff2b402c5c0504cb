# Meridian's image: the same steps as a machine install (deploy/install.sh), split in two.
# Building runs the system packages, the user and the virtualenv; the `setup` service of
# compose.yaml runs the rest (settings, database and roles, migrate, static files, checks,
# first manager) against the database container. README "Production: containers".
FROM debian:bookworm-slim

COPY . /src
RUN /src/deploy/install.sh --package /src --db-host db --skip-systemd \
        --steps "packages user venv" \
    && rm -rf /var/lib/apt/lists/* /root/.cache /src/build \
    && mkdir -p /etc/meridian /var/lib/meridian \
    && chown meridian:meridian /etc/meridian /var/lib/meridian

USER meridian
WORKDIR /var/lib/meridian
VOLUME ["/etc/meridian", "/var/lib/meridian"]
EXPOSE 8000
CMD ["/opt/meridian/bin/meridian-env", "gunicorn", "clinic.wsgi", "--bind", "0.0.0.0:8000", \
     "--workers", "3", "--timeout", "30"]
