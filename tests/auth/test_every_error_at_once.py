"""Every error at once on the password form: a wrong current password, a weak new one and a
repeat that differs are all said on the first submit, and nothing changes."""

from __future__ import annotations

from tests import factories
from tests.conftest import TEST_PASSWORD


def test_the_password_form_says_everything_on_the_first_submit(app, db, client):
    user = factories.user(["employee"])
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    response = client.post(
        "/profile/password",
        data={
            "current_password": "not-the-password",
            "new_password": "password123",
            "confirm": "password124",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The current password is wrong." in page
    assert "too common" in page
    assert "The passwords differ." in page
    again = app.test_client()
    assert (
        again.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code
        == 302
    )


def test_a_strong_password_with_a_repeat_that_differs_changes_nothing(app, db, client):
    user = factories.user(["employee"])
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    response = client.post(
        "/profile/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "Another-Long-Secret-77",
            "confirm": "Another-Long-Secret-78",
        },
    )
    assert response.status_code == 422 and b"The passwords differ." in response.data
    again = app.test_client()
    assert (
        again.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code
        == 302
    )
