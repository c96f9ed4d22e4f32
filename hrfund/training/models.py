"""Training catalogue, training records, language scores and bulk imports."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.orm import Mapped, mapped_column

from hrfund.auth.models import User
from hrfund.core.db import TimestampMixin, str_enum, utcnow
from hrfund.core.files import StoredFile
from hrfund.core.i18n import in_language
from hrfund.extensions import Model


class ProgramCategory(enum.StrEnum):
    LANGUAGE = "language"
    OVERSEAS_TRAINING = "overseas_training"
    SEMINAR = "seminar"
    E_LEARNING = "e_learning"
    CROSS_CULTURAL = "cross_cultural"


class RecordStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RecordSource(enum.StrEnum):
    SELF = "self"  # entered by the employee: unverified until HR verifies it
    HR = "hr"
    ENROLMENT = "enrolment"
    IMPORT = "import"


class LanguageTest(enum.StrEnum):
    TOEIC = "toeic"
    IELTS = "ielts"
    TOEFL_IBT = "toefl_ibt"
    HSK = "hsk"
    TOPIK = "topik"
    DELF_DALF = "delf_dalf"
    GOETHE = "goethe"
    OTHER = "other"


class ImportStatus(enum.StrEnum):
    UPLOADED = "uploaded"
    VALIDATING = "validating"
    VALID = "valid"
    INVALID = "invalid"
    IMPORTED = "imported"


class TrainingProgram(TimestampMixin, Model):
    """A program of the training catalogue (a course, seminar, e-learning or overseas training)."""

    __tablename__ = "training_programs"
    __table_args__ = (sa.CheckConstraint("hours >= 0", name="hours_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    title_ja: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[ProgramCategory] = mapped_column(
        str_enum(ProgramCategory, "program_category"), index=True
    )
    provider: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(7, 1))
    language: Mapped[str] = mapped_column(sa.String(8), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    sessions: Mapped[list[TrainingSession]] = so.relationship(
        back_populates="program", order_by="TrainingSession.starts_on", cascade="all, delete-orphan"
    )

    def name(self, locale: str) -> str:
        return in_language(locale, self.title_ja, self.title_en)

    def __repr__(self) -> str:
        return f"<TrainingProgram {self.id} {self.code or self.title_en}>"


class TrainingSession(TimestampMixin, Model):
    """One run of a program: dates, place and the number of seats."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint(
            "enrolled_count >= 0 and enrolled_count <= capacity", name="enrolled_within_capacity"
        ),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_programs.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    place: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    capacity: Mapped[int]
    # Kept by a conditional UPDATE so that concurrent enrolments never exceed capacity.
    enrolled_count: Mapped[int] = mapped_column(default=0, server_default="0")

    program: Mapped[TrainingProgram] = so.relationship(back_populates="sessions")

    @property
    def seats_left(self) -> int:
        return self.capacity - self.enrolled_count

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} program={self.program_id} {self.starts_on}>"


#: the records that count in the talent search (verified ones, or also unverified ones)
TALENT_RECORDS = "status = 'completed' AND rejected_at IS NULL"


class TrainingRecord(TimestampMixin, Model):
    """One employee's enrolment in, or completion of, one program."""

    __tablename__ = "training_records"
    __table_args__ = (
        # The natural key that keeps imports idempotent (NULL completion dates never clash).
        sa.UniqueConstraint(
            "user_id", "program_id", "completed_on", name="uq_training_records_natural_key"
        ),
        sa.CheckConstraint(
            "status <> 'completed' or completed_on is not null", name="completed_has_date"
        ),
        sa.CheckConstraint("hours is null or hours >= 0", name="hours_nonnegative"),
        sa.CheckConstraint(
            "(verified and verified_at is not null) or (not verified and verified_at is null)",
            name="verified_has_time",
        ),
        sa.CheckConstraint("not (verified and rejected_at is not null)", name="not_both_verdicts"),
        sa.Index("ix_training_records_user_status", "user_id", "status"),
        # the year's completions, summed by the dashboards and the fiscal-year report: with the
        # program and the hours in it, from the index alone (a year is 250,000 rows at full size)
        sa.Index(
            "ix_training_records_status_completed", "status", "completed_on", "program_id", "hours"
        ),
        # the talent search: who completed a program, and their hours in a category, from it alone
        sa.Index(
            "ix_training_records_talent",
            "program_id",
            "user_id",
            postgresql_include=["verified", "hours"],
            sqlite_where=sa.text(TALENT_RECORDS),
            postgresql_where=sa.text(TALENT_RECORDS),
        ),
        # the talent search's hours: one person's records that count, from the index alone
        sa.Index(
            "ix_training_records_talent_user",
            "user_id",
            "program_id",
            postgresql_include=["verified", "hours"],
            sqlite_where=sa.text(TALENT_RECORDS),
            postgresql_where=sa.text(TALENT_RECORDS),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    # active_history: a change loads the old value first, so that the summary rows can move by
    # it (``hrfund.training.summaries``)
    program_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_programs.id"), index=True, active_history=True
    )
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("training_sessions.id"), index=True
    )
    status: Mapped[RecordStatus] = mapped_column(
        str_enum(RecordStatus, "record_status"), active_history=True
    )
    completed_on: Mapped[date | None] = mapped_column(active_history=True)
    hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 1), active_history=True)
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 1))
    expires_on: Mapped[date | None]
    certificate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id"))
    source: Mapped[RecordSource] = mapped_column(str_enum(RecordSource, "record_source"))
    verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    import_batch_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("training_import_batches.id"), index=True
    )
    note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # HR's refusal of an employee's own entry (see ``rejections.py``): when, by whom, and why
    rejected_at: Mapped[datetime | None]
    rejected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rejection_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    user: Mapped[User] = so.relationship(foreign_keys=[user_id])
    program: Mapped[TrainingProgram] = so.relationship()
    session: Mapped[TrainingSession | None] = so.relationship()
    certificate: Mapped[StoredFile | None] = so.relationship()

    @property
    def effective_hours(self) -> Decimal:
        return self.hours if self.hours is not None else self.program.hours

    def __repr__(self) -> str:
        return f"<TrainingRecord {self.id} user={self.user_id} {self.status}>"


class LanguageScore(TimestampMixin, Model):
    """One language test result of one employee."""

    __tablename__ = "language_scores"
    __table_args__ = (
        # the talent search and the dashboard's levels: verified, not rejected scores of a test
        sa.Index(
            "ix_language_scores_valid",
            "test",
            "score",
            "user_id",
            sqlite_where=sa.text("verified AND rejected_at IS NULL"),
            postgresql_where=sa.text("verified AND rejected_at IS NULL"),
        ),
        # the dashboard's levels: valid scores of a test by date and band, from the index alone
        sa.Index(
            "ix_language_scores_levels",
            "test",
            "expires_on",
            "score",
            "taken_on",
            sqlite_where=sa.text("verified AND rejected_at IS NULL"),
            postgresql_where=sa.text("verified AND rejected_at IS NULL"),
        ),
        # the talent search: the people with a score valid today, verified or not, from the
        # index alone, as two ranges (expiring that day or later; never expiring) that skip
        # the many expired scores
        sa.Index(
            "ix_language_scores_expiry",
            "test",
            "expires_on",
            "score",
            "user_id",
            postgresql_include=["taken_on", "verified"],
            sqlite_where=sa.text("rejected_at IS NULL"),
            postgresql_where=sa.text("rejected_at IS NULL"),
        ),
        sa.UniqueConstraint(
            "user_id", "test", "test_name", "taken_on", name="uq_language_scores_natural_key"
        ),
        sa.CheckConstraint("score >= 0", name="score_nonnegative"),
        sa.CheckConstraint("test <> 'other' or length(test_name) > 0", name="other_has_name"),
        sa.CheckConstraint(
            "expires_on is null or expires_on >= taken_on", name="expires_after_taken"
        ),
        sa.CheckConstraint(
            "(verified and verified_at is not null) or (not verified and verified_at is null)",
            name="verified_has_time",
        ),
        sa.CheckConstraint("not (verified and rejected_at is not null)", name="not_both_verdicts"),
        sa.Index("ix_language_scores_search", "test", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # active_history on what the level counts depend on (as on TrainingRecord)
    test: Mapped[LanguageTest] = mapped_column(
        str_enum(LanguageTest, "language_test"), active_history=True
    )
    test_name: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    score: Mapped[Decimal] = mapped_column(sa.Numeric(7, 1), active_history=True)
    level: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    taken_on: Mapped[date] = mapped_column(active_history=True)
    expires_on: Mapped[date | None] = mapped_column(active_history=True)
    certificate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id"))
    verified: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false(), active_history=True
    )
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(active_history=True)
    rejected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rejection_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    user: Mapped[User] = so.relationship(foreign_keys=[user_id])
    certificate: Mapped[StoredFile | None] = so.relationship()

    def is_valid_on(self, day: date) -> bool:
        return self.taken_on <= day and (self.expires_on is None or self.expires_on >= day)

    def __repr__(self) -> str:
        return f"<LanguageScore {self.id} user={self.user_id} {self.test} {self.score}>"


class TrainingHoursTotal(Model):
    """One program's completed training in one fiscal year: the sum of the records' own hours,
    and how many records take the program's hours instead (read with the program's hours of
    today, so that editing a program moves nothing here). Kept by ``training.summaries``."""

    __tablename__ = "training_hours_totals"

    fiscal_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    program_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_programs.id"), primary_key=True, autoincrement=False
    )
    own_hours: Mapped[Decimal] = mapped_column(sa.Numeric(14, 1), default=0, server_default="0")
    without_hours: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<TrainingHoursTotal FY{self.fiscal_year} program={self.program_id}>"


class LanguageLevelCount(Model):
    """How many verified, not rejected scores of a test fall in a CEFR band, by the day taken
    and the last day valid (``summaries.NEVER`` for a score that never expires). Kept by
    ``training.summaries``."""

    __tablename__ = "language_level_counts"
    __table_args__ = (
        # the levels valid today: one range of valid_until, from the index alone
        sa.Index(
            "ix_language_level_counts_valid", "valid_until", "taken_on", "test", "band", "scores"
        ),
    )

    test: Mapped[LanguageTest] = mapped_column(
        str_enum(LanguageTest, "language_test"), primary_key=True
    )
    band: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    taken_on: Mapped[date] = mapped_column(primary_key=True)
    valid_until: Mapped[date] = mapped_column(primary_key=True)
    scores: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<LanguageLevelCount {self.test} {self.band} {self.taken_on}–{self.valid_until}>"


class ImportBatch(Model):
    """One uploaded file of training records, validated in steps and imported all at once."""

    __tablename__ = "training_import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_files.id"))
    source_path: Mapped[str | None] = mapped_column(sa.String(1000))  # CLI imports
    filename: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[ImportStatus] = mapped_column(
        str_enum(ImportStatus, "import_status"), default=ImportStatus.UPLOADED
    )
    total_rows: Mapped[int | None]
    processed_rows: Mapped[int] = mapped_column(default=0, server_default="0")
    #: where the next check step reads on: the CSV's byte offset and line number (XLSX: unused)
    resume_offset: Mapped[int | None] = mapped_column(sa.BigInteger)
    resume_line: Mapped[int | None]
    error_rows: Mapped[int] = mapped_column(default=0, server_default="0")
    duplicate_rows: Mapped[int] = mapped_column(default=0, server_default="0")
    created_rows: Mapped[int] = mapped_column(default=0, server_default="0")
    file_error: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_at: Mapped[datetime | None]

    created_by: Mapped[User | None] = so.relationship()

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.status}>"


class ImportRow(Model):
    """A staged row of an import batch: resolved values, or the errors that stop the import."""

    __tablename__ = "training_import_rows"
    __table_args__ = (
        # finds repeated rows of one file without comparing every row with every other
        sa.Index(
            "ix_training_import_rows_key", "batch_id", "user_id", "program_id", "completed_on"
        ),
    )

    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_import_batches.id", ondelete="CASCADE"), primary_key=True
    )
    row_number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    user_id: Mapped[int | None]
    program_id: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(sa.String(16))
    completed_on: Mapped[date | None]
    hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 1))
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 1))
    expires_on: Mapped[date | None]
    errors: Mapped[str | None] = mapped_column(sa.Text)  # one message per line; NULL when valid

    def __repr__(self) -> str:
        return f"<ImportRow {self.batch_id}:{self.row_number}>"
