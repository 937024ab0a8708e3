#!/usr/bin/env bash
# Nightly backup: the database in pg_dump's custom format and a tarball of the files
# (MEDIA_ROOT and the private evidence folder beside it). Keeps BACKUP_KEEP_DAYS days.
# Copy BACKUP_DIR off the machine afterwards (rsync, object storage): a backup on the
# same disk is not a backup. Restore steps: docs/operations.md.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL}"
: "${MEDIA_ROOT:?set MEDIA_ROOT}"
BACKUP_DIR=${BACKUP_DIR:-/srv/talent-pool-lms/backups}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-30}
PRIVATE_ROOT=${PRACTICUM_PRIVATE_ROOT:-$(dirname "$MEDIA_ROOT")/private}
stamp=$(date +%F)
mkdir -p "$BACKUP_DIR"

pg_dump --format=custom --no-owner --no-privileges --file="$BACKUP_DIR/lms-$stamp.dump.partial" "$DATABASE_URL"
mv "$BACKUP_DIR/lms-$stamp.dump.partial" "$BACKUP_DIR/lms-$stamp.dump"

roots=(-C "$(dirname "$MEDIA_ROOT")" "$(basename "$MEDIA_ROOT")")
if [ -d "$PRIVATE_ROOT" ]; then roots+=(-C "$(dirname "$PRIVATE_ROOT")" "$(basename "$PRIVATE_ROOT")"); fi
tar czf "$BACKUP_DIR/files-$stamp.tgz.partial" "${roots[@]}"
mv "$BACKUP_DIR/files-$stamp.tgz.partial" "$BACKUP_DIR/files-$stamp.tgz"

find "$BACKUP_DIR" -maxdepth 1 -name 'lms-*.dump' -mtime +"$BACKUP_KEEP_DAYS" -delete
find "$BACKUP_DIR" -maxdepth 1 -name 'files-*.tgz' -mtime +"$BACKUP_KEEP_DAYS" -delete
echo "{\"backup\": \"ok\", \"database_bytes\": $(stat -c %s "$BACKUP_DIR/lms-$stamp.dump"), \"files_bytes\": $(stat -c %s "$BACKUP_DIR/files-$stamp.tgz")}"
