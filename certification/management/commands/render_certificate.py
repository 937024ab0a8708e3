"""``manage.py render_certificate SERIAL --out FILE``: render a certificate as the worker does.

For operators after a template change: ``--store`` also replaces the stored PDF.
"""

from django.core.management.base import BaseCommand, CommandError

from certification import selectors, services


class Command(BaseCommand):
    help = "Render a certificate's PDF (same function as the Celery task) to a file."

    def add_arguments(self, parser):
        parser.add_argument("serial", help="e.g. PC-2027-000123 (or PC-2027-000123-v2)")
        parser.add_argument("--out", required=True, help="where to write the PDF")
        parser.add_argument(
            "--store", action="store_true", help="also replace the stored PDF of the certificate"
        )

    def handle(self, *args, serial, out, store, **options):
        certificate = selectors.certificate_by_serial(serial)
        if certificate is None:
            raise CommandError(f"No certificate has the serial {serial}.")
        content = services.render_certificate_pdf(certificate)
        with open(out, "wb") as handle:
            handle.write(content)
        if store:
            services.store_certificate_pdf(certificate, content)
        self.stdout.write(f"{certificate.display_serial}: {len(content)} bytes → {out}")
