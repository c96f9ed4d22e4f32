"""Shared building blocks: model mixins, audit log, errors, permissions, pagination, i18n."""
