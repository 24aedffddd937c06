"""What an uploaded file really is, decided from its bytes (never from its name or declared type)."""

import io
import zipfile

from django.utils.translation import gettext as _

from tongban.core.errors import InvalidInput

PDF, JPEG, PNG, OFD = "application/pdf", "image/jpeg", "image/png", "application/ofd"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", OFD: "ofd"}
_MAGIC = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]


def sniff(head: bytes, whole) -> str | None:
    """The content type of an allowed file, or None. ``whole`` is a seekable file for the OFD check."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    if head.startswith(b"PK\x03\x04"):
        # OFD (GB/T 33190) is a ZIP package whose root holds OFD.xml; any other ZIP is refused.
        whole.seek(0)
        try:
            with zipfile.ZipFile(whole) as package:
                return OFD if "OFD.xml" in package.namelist() else None
        except zipfile.BadZipFile:
            return None
    return None


def check_upload(upload, *, max_bytes: int) -> str:
    """Validate size and content of a Django UploadedFile; return its sniffed content type."""
    if upload.size is None or upload.size == 0:
        raise InvalidInput(_("上传的文件是空的。"), code="empty_upload")
    if upload.size > max_bytes:
        raise InvalidInput(
            _("文件大小 %(size).1f MB 超过上限 %(max)d MB。")
            % {"size": upload.size / 1048576, "max": max_bytes // 1048576},
            code="upload_too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    whole = upload.file if hasattr(upload, "file") else io.BytesIO(head + upload.read())
    content_type = sniff(head, whole)
    upload.seek(0)
    if content_type is None:
        raise InvalidInput(
            _("只接受 PDF、JPEG、PNG 或 OFD 文件（按文件内容识别，与文件名无关）。"), code="upload_type_not_allowed"
        )
    return content_type
