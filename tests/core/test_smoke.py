def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"password" in response.data.lower()


def test_login_as_hr(login_as):
    c = login_as("hr")
    assert c.get("/audit").status_code == 200
