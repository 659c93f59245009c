def test_register_login_me(client, user, auth):
    r = client.get("/api/v1/me", headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["email"] == user.email
