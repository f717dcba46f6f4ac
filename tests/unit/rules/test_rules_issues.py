from accommnotify.rules.issues import Issue, prefix


def test_issue_defaults_and_equality():
    a = Issue("id_number", "id_number.format")
    assert a.params == {}
    assert a == Issue("id_number", "id_number.format", {})
    assert a != Issue("id_number", "id_number.format", {"length": 12})
    assert hash(a) == hash(Issue("id_number", "id_number.format", {"x": 1}))  # hashable with dict params
    assert a.as_dict() == {"field": "id_number", "code": "id_number.format", "params": {}}


def test_issue_is_frozen():
    a = Issue("f", "c")
    try:
        a.code = "x"  # type: ignore[misc]
    except AttributeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("Issue must be frozen")


def test_prefix_paths():
    issues = [Issue("id_number", "id_number.format"), Issue("document.number", "document.format")]
    assert [i.field for i in prefix(issues, "guests[1].")] == [
        "guests[1].id_number",
        "guests[1].document.number",
    ]
    assert [i.field for i in prefix([Issue("number", "x")], "document")] == ["document.number"]
    assert [i.field for i in prefix([Issue("number", "x")], "document.")] == ["document.number"]
    assert [i.field for i in prefix([Issue("[0].x", "x")], "guests")] == ["guests[0].x"]
    assert [i.field for i in prefix([Issue("", "x")], "guests[2].")] == ["guests[2]"]
    assert [i.field for i in prefix([Issue("a", "x")], "")] == ["a"]


def test_prefix_keeps_code_and_params():
    out = prefix([Issue("a", "guests.too_many", {"max": 200})], "s.")
    assert out == [Issue("s.a", "guests.too_many", {"max": 200})]
