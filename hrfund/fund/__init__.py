"""The Tokyo Human Resources Fund: fiscal years, budget lines, an append-only ledger.

The services other modules call are listed in ``hrfund.fund.services``.
"""
