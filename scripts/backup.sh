#!/usr/bin/env bash
# Nightly backup: the database in pg_dump's custom format and a tarball of the files
# (MEDIA_ROOT and the private evidence folders). Keeps BACKUP_KEEP_DAYS days.
# Copy BACKUP_DIR off the machine afterwards (rsync, object storage): a backup on the
# same disk is not a backup. Restore steps: docs/operations.md.
#
# The folders come from the application's own settings (`manage.py file_roots`), not
# from variables of this script's environment, so the backup archives exactly where the
# application writes. Run it with the application's environment (lms-backup.service
# reads /etc/talent-pool-lms/lms.env).
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL}"
APP_DIR=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$APP_DIR/.venv/bin/python}
BACKUP_DIR=${BACKUP_DIR:-/srv/talent-pool-lms/backups}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-30}
stamp=$(date +%F)
# Fails (and so stops the backup) if the settings refuse to load.
folders=$(cd "$APP_DIR" && "$PYTHON" manage.py file_roots)
mkdir -p "$BACKUP_DIR"

pg_dump --format=custom --no-owner --no-privileges --file="$BACKUP_DIR/lms-$stamp.dump.partial" "$DATABASE_URL"
mv "$BACKUP_DIR/lms-$stamp.dump.partial" "$BACKUP_DIR/lms-$stamp.dump"

roots=()
while IFS=$'\t' read -r _label folder; do
    if [ -d "$folder" ]; then roots+=(-C "$(dirname "$folder")" "$(basename "$folder")"); fi
done <<< "$folders"
tar czf "$BACKUP_DIR/files-$stamp.tgz.partial" "${roots[@]}"
mv "$BACKUP_DIR/files-$stamp.tgz.partial" "$BACKUP_DIR/files-$stamp.tgz"

find "$BACKUP_DIR" -maxdepth 1 -name 'lms-*.dump' -mtime +"$BACKUP_KEEP_DAYS" -delete
find "$BACKUP_DIR" -maxdepth 1 -name 'files-*.tgz' -mtime +"$BACKUP_KEEP_DAYS" -delete
echo "{\"backup\": \"ok\", \"database_bytes\": $(stat -c %s "$BACKUP_DIR/lms-$stamp.dump"), \"files_bytes\": $(stat -c %s "$BACKUP_DIR/files-$stamp.tgz")}"
