def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"password" in response.data.lower()


def test_login_as_hr(login_as):
    c = login_as("hr")
    assert c.get("/audit").status_code == 200


def test_every_page_names_an_icon_that_is_served(client):
    """Browsers fetch the page's icon, or /favicon.ico when none is named: neither is a 404."""
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon"' in page
    href = page.split('rel="icon"', 1)[1].split('href="', 1)[1].split('"', 1)[0]
    icon = client.get(href)
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    fallback = client.get("/favicon.ico")
    assert fallback.status_code == 200
    assert fallback.data == icon.data
