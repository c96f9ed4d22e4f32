"""Run by test_fixture_cleanup.py in a pytest of its own (the name keeps it out of the suite):
a test that fails with a streamed export half read, then one that needs a sound worker."""


def test_fails_with_a_stream_half_read(db, login_as):
    response = login_as("hr").get("/audit/export.csv")
    next(iter(response.response))  # the stream has pushed its request context
    raise AssertionError("the failure under test")


def test_the_next_test_runs_on_a_sound_worker(db, login_as):
    assert login_as("hr").get("/").status_code == 200
