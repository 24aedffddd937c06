import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.test_api import body, client_for
from tongban.cases.choices import Action
from tongban.cases.models import CaseAttachment, CaseEvent
from tongban.cases.services import attach_file, transition
from tongban.core.errors import Conflict, Forbidden, InvalidInput

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def ofd_bytes(with_root: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("OFD.xml" if with_root else "word/document.xml", "<ofd:OFD/>")
    return buffer.getvalue()


def stored_files() -> list[tuple[str, list[str]]]:
    """Every stored case file (the in-memory storage outlives each test's database rollback)."""
    try:
        numbers = default_storage.listdir("cases")[0]
    except FileNotFoundError:
        return []
    listing = ((n, sorted(default_storage.listdir(f"cases/{n}")[1])) for n in numbers)
    return sorted((n, files) for n, files in listing if files)


@pytest.fixture
def case(window_case):
    return window_case()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("证明.pdf", PDF_BYTES, "application/pdf"),
        ("扫描件.png", PNG_BYTES, "image/png"),
        ("照片.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        ("版式文件.ofd", ofd_bytes(), "application/ofd"),
        ("misnamed.txt", PDF_BYTES, "application/pdf"),
    ],
)
def test_allowed_types_are_sniffed_from_content(case, user_of, name, content, content_type):
    material = case.materials.first()
    attachment = attach_file(
        case,
        by=user_of("clerk_gulou"),
        material_id=material.material_id,
        upload=SimpleUploadedFile(name, content, content_type="application/octet-stream"),
    )
    assert attachment.content_type == content_type and attachment.size == len(content)
    assert attachment.file.name.endswith(
        {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "application/ofd": ".ofd"}[content_type]
    )
    assert CaseEvent.objects.filter(case=case, action=Action.ATTACH).count() == 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("病毒.pdf", b"MZ\x90\x00 this is an exe", "upload_type_not_allowed"),
        ("文档.docx", ofd_bytes(with_root=False), "upload_type_not_allowed"),
        ("空.pdf", b"", "empty_upload"),
    ],
)
def test_wrong_type_is_refused_and_leaves_nothing(case, user_of, name, content, code):
    before = stored_files()
    with pytest.raises(InvalidInput) as exc:
        attach_file(
            case,
            by=user_of("clerk_gulou"),
            material_id=case.materials.first().material_id,
            upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
        )
    assert exc.value.code == code
    assert not CaseAttachment.objects.exists() and stored_files() == before


def test_oversized_upload_is_refused(case, user_of, settings):
    settings.CASE_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(InvalidInput) as exc:
        attach_file(
            case,
            by=user_of("clerk_gulou"),
            material_id=case.materials.first().material_id,
            upload=SimpleUploadedFile("大.pdf", PDF_BYTES + b"0" * 2048),
        )
    assert exc.value.code == "upload_too_large" and "MB" in exc.value.message


def test_refusal_after_writing_removes_the_file(case, user_of):
    before = stored_files()
    with pytest.raises(InvalidInput):
        attach_file(case, by=user_of("clerk_gulou"), material_id=-5, upload=SimpleUploadedFile("a.pdf", PDF_BYTES))
    with pytest.raises(Forbidden):
        attach_file(
            case,
            by=user_of("clerk_city"),
            material_id=case.materials.first().material_id,
            upload=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )
    assert stored_files() == before and not CaseAttachment.objects.exists()


def test_closed_states_take_no_uploads(case, user_of):
    transition(case, Action.REFUSE, by=user_of("clerk_gulou"), reason="不符合法定条件")
    with pytest.raises(Conflict):
        attach_file(
            case,
            by=user_of("clerk_gulou"),
            material_id=case.materials.first().material_id,
            upload=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )


def test_upload_over_the_api(user_of, food_item, grant_gulou):
    api = client_for(user_of("clerk_gulou"))
    number = api.post("/api/v1/cases/", body(food_item), format="json").json()["number"]
    material = api.get(f"/api/v1/cases/{number}/").json()["materials"][0]["material"]
    response = api.post(
        f"/api/v1/cases/{number}/attachments/",
        {"material": material, "file": SimpleUploadedFile("证明.pdf", PDF_BYTES)},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["content_type"] == "application/pdf"
    bad = api.post(
        f"/api/v1/cases/{number}/attachments/",
        {"material": material, "file": SimpleUploadedFile("x.pdf", b"GIF89a")},
        format="multipart",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "upload_type_not_allowed"
    assert len(api.get(f"/api/v1/cases/{number}/attachments/").json()) == 1


def test_file_written_then_row_failing_is_cleaned_up(case, user_of, monkeypatch):
    def failing_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    before = stored_files()
    monkeypatch.setattr(CaseAttachment, "save", failing_save)
    with pytest.raises(RuntimeError):
        attach_file(
            case,
            by=user_of("clerk_gulou"),
            material_id=case.materials.first().material_id,
            upload=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )
    assert stored_files() == before
