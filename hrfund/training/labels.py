"""Translatable labels of the training module's enums, shared by services, pages and exports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from hrfund.training.models import ImportStatus, LanguageTest, ProgramCategory, RecordStatus

CATEGORY_LABELS = {
    ProgramCategory.LANGUAGE: lazy_pgettext("program category", "Language"),
    ProgramCategory.OVERSEAS_TRAINING: _l("Overseas training"),
    ProgramCategory.SEMINAR: _l("Seminar"),
    ProgramCategory.E_LEARNING: _l("E-learning"),
    ProgramCategory.CROSS_CULTURAL: _l("Cross-cultural"),
}
RECORD_STATUS_LABELS = {
    RecordStatus.ENROLLED: _l("Enrolled"),
    RecordStatus.COMPLETED: _l("Completed"),
    RecordStatus.FAILED: _l("Failed"),
    RecordStatus.CANCELLED: _l("Cancelled"),
}
TEST_LABELS = {
    LanguageTest.TOEIC: "TOEIC",
    LanguageTest.IELTS: "IELTS",
    LanguageTest.TOEFL_IBT: "TOEFL iBT",
    LanguageTest.HSK: "HSK",
    LanguageTest.TOPIK: "TOPIK",
    LanguageTest.DELF_DALF: "DELF/DALF",
    LanguageTest.GOETHE: _l("Goethe-Zertifikat"),
    LanguageTest.OTHER: _l("Other"),
}
IMPORT_STATUS_LABELS = {
    ImportStatus.UPLOADED: _l("Uploaded"),
    ImportStatus.VALIDATING: _l("Checking"),
    ImportStatus.VALID: _l("Ready to import"),
    ImportStatus.INVALID: _l("Has errors"),
    ImportStatus.IMPORTED: _l("Imported"),
}


def test_label(test, name: str = "") -> str:
    """The label of a language test; an "other" test is shown by its own name."""
    if test == LanguageTest.OTHER and name:
        return name
    return str(TEST_LABELS[LanguageTest(test)])


#: The labels every page may name (the call page names language tests too), registered as
#: template globals by the app factory.
TEMPLATE_GLOBALS = {
    "category_labels": CATEGORY_LABELS,
    "record_status_labels": RECORD_STATUS_LABELS,
    "test_labels": TEST_LABELS,
    "test_label": test_label,
}
