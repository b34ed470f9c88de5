from helpers import CleanText

def test_clean():
    x = CleanText("Hello  World")
    print(x)
    assert x
