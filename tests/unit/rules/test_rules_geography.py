from accommnotify.rules import geography as g
from accommnotify.rules.issues import Issue


def test_counts():
    assert len(g.PROVINCE_NAMES) == 34
    assert len(g.WARD_NAMES) == 3321
    assert all(len(c) == 2 and c.isdigit() for c in g.PROVINCE_NAMES)
    assert all(len(c) == 5 and c.isdigit() for c in g.WARD_NAMES)
    assert set(g.WARD_PROVINCE.values()) == set(g.PROVINCE_NAMES)


def test_lookups():
    assert g.province_exists("01") and g.province_exists("40")
    assert not g.province_exists("1") and not g.province_exists("99") and not g.province_exists(1)
    assert g.ward_exists("16681") and g.ward_province("16681") == "40"
    assert g.ward_exists("00070") and g.ward_province("00070") == "01"
    assert not g.ward_exists("70") and not g.ward_exists("99999") and not g.ward_exists(None)
    assert g.ward_province("99999") is None
    assert g.ward_name("00070") == "Phường Hoàn Kiếm"
    assert g.province_name("01") == "Thành phố Hà Nội"
    assert g.province_name("00") is None and g.ward_name([]) is None


def test_check_location_ok():
    assert g.check_location("16681", "40") == []
    assert g.check_location("16681", None) == []


def test_check_location_codes():
    assert g.check_location("99999", "40") == [Issue("ward_code", "ward.unknown")]
    assert g.check_location("16681", "99") == [Issue("province_code", "province.unknown")]
    assert g.check_location("16681", "01") == [Issue("ward_code", "ward.province_mismatch")]
    assert g.check_location("99999", "99") == [
        Issue("ward_code", "ward.unknown"),
        Issue("province_code", "province.unknown"),
    ]
    assert g.check_location(None, "40") == [Issue("ward_code", "required")]
    assert g.check_location("", "") == [Issue("ward_code", "required"), Issue("province_code", "province.unknown")]


def test_an_old_ward_code_is_named_as_such():
    [issue] = g.check_location("26734", None)
    assert issue.code == "ward.replaced" and "Phường Tân Định (26737" in issue.params["replaced_by"]
    assert g.replacement_wards("26734") == ["26737"]
    assert g.replacement_wards("00007") == ["00008", "00025"]         # split: the main ward first
    assert g.replacement_wards("16681") is None                       # a ward of today's map
    assert g.check_location("00002", None) == [Issue("ward_code", "ward.pre_2025")]   # not in the table
    assert g.check_location("99999", None) == [Issue("ward_code", "ward.unknown")]


def test_the_conversion_table_names_only_wards_of_todays_map():
    table = g._conversion()
    assert len(table) > 6000
    assert all(c in g.WARD_NAMES for codes in table.values() for c in codes)
    assert not set(table) & set(g.WARD_NAMES)
    assert g.replacement_wards("99999") is None
