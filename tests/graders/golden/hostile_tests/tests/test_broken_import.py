import package_that_does_not_exist


def test_never_collected():
    assert package_that_does_not_exist.VERSION
