from accommnotify.rules.text import fold


def test_fold_removes_accents_case_and_d_stroke():
    assert fold("Nguyễn Văn Đức") == "nguyen van duc"
    assert fold("  TRẦN   thị  bình ") == "tran thi binh"


def test_fold_keeps_other_scripts_and_empty():
    assert fold("") == ""
    assert fold(None) == ""
    assert fold("李小龙") == "李小龙"
