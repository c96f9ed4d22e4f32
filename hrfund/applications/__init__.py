"""Calls for applications (募集) and secondment applications, from draft to approved placement."""
