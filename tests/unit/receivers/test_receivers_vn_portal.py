"""The vn_portal adapter on its own: template check, mapping, the citizens workbook, the XML, KBTT."""
import copy
import hashlib
import io
import os
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import openpyxl
import pytest

from accommnotify.receivers.base import Batch
from accommnotify.receivers.config import loads_receivers_config
from accommnotify.receivers.portal_mapping import MAPPING, VOCABULARIES, resolve
from accommnotify.receivers.portal_template import TemplateMismatch, load_template
from accommnotify.receivers.vn_portal import AMENDMENT_NOTE, NO_ROW_RECEIPT, VnPortalReceiver
from tests import portal_support as ps
from tests.unit.receivers import receivers_sample_data as samples


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "tblt_vn_import.xlsx"
    ps.build_template(path)
    return path


def make_receiver(tmp_path, template, **kw):
    return VnPortalReceiver("portal", template=str(template), directory=str(tmp_path / "out"), **kw)


def batch(notifications, batch_id="bat_portal0001"):
    return Batch(id=batch_id, receiver="portal", sender="t", sent_at=datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc),
                 notifications=notifications)


def citizen(i, **person):
    n = samples.notification(i, "residence")
    n["person"].update(person)
    return n


def test_template_check_gives_list_sizes(template):
    t = load_template(str(template))
    assert t.sizes() == {"document_kind": 9, "residence": 3, "reason": 20, "sex": 2, "nationality": 205,
                         "province": 34}
    assert t.by_code["sex"]["F"] == "F - Nữ"


@pytest.mark.parametrize("change, expected", [
    (dict(headers=ps.CITIZEN_HEADERS[:4] + ("QUOC TICH",) + ps.CITIZEN_HEADERS[5:]),
     "row 2 column E: expected header 'QUỐC TỊCH (*)', found 'QUOC TICH'"),
    (dict(reasons=ps.REASONS[:-1]), "list reason: expected 20 entries, found 19"),
    (dict(drop_sheet="PHUONG_XA"), "sheet PHUONG_XA is missing"),
    (dict(nationality_count=120), "list nationality: expected 190-260 entries, found 120"),
])
def test_a_different_template_says_what_differs(tmp_path, change, expected):
    path = tmp_path / "changed.xlsx"
    ps.build_template(path, **change)
    with pytest.raises(TemplateMismatch) as err:
        load_template(str(path))
    assert any(expected in p for p in err.value.problems), err.value.problems


def test_mapping_covers_every_vocabulary_and_the_template_lists_it(template):
    for name, vocabulary in VOCABULARIES.items():
        assert set(MAPPING[name]) == set(vocabulary), name
    resolved = resolve(load_template(str(template)))
    for name in ("sex", "document_kind", "reason", "residence"):
        assert name not in resolved.missing
    assert resolved.values["reason"]["medical_treatment"] == "5 - Chữa bệnh"
    assert resolved.values["reason"]["caregiving"] == "6 - Chăm sóc người bệnh"
    assert resolved.values["document_kind"]["other"] == "9 - Giấy tờ khác"
    # 205 nationalities listed: the rest of ISO 3166 is named in the start-up alert, never blank
    assert "XXA" in resolved.missing["nationality"]


def test_missing_list_value_is_a_startup_alert_naming_it(tmp_path):
    path = tmp_path / "t.xlsx"
    ps.build_template(path, reasons=[r for r in ps.REASONS if "Chăm sóc" not in r] + ["21 - Lý do mẫu 21"])
    receiver = make_receiver(tmp_path, path)
    assert receiver.paused is None
    assert "reason: caregiving" in receiver.alert


def test_citizens_file_keeps_the_template_and_writes_text_from_row_5(tmp_path, template):
    receiver = make_receiver(tmp_path, template)
    ns = [citizen(1, id_number="040090012345", sex="male", full_name="Nguyễn Văn Mẫu"),
          citizen(2), samples.notification(3, "residence", event="amendment")]
    ns[1]["stay"]["reason"] = "work"
    delivery = receiver.send(batch(ns))
    assert {o.status for o in delivery.outcomes.values()} == {"awaiting_upload"}
    [f] = delivery.files
    assert f.kind == "citizens" and f.format == "xlsx" and f.row_count == 3
    assert f.rows == [("ntf_test0001", 1), ("ntf_test0002", 2), ("ntf_test0003", 3)]
    data = open(f.path, "rb").read()
    assert hashlib.sha256(data).hexdigest() == f.sha256
    assert "Nguy" not in f.filename and f.filename.startswith("TEST-HOTEL-01_khach-viet-nam_")
    original = openpyxl.load_workbook(template)
    wb = openpyxl.load_workbook(f.path)
    ws, ows = wb["DS_KHACH_VIET_NAM_LUU_TRU"], original["DS_KHACH_VIET_NAM_LUU_TRU"]
    for r in range(1, 5):  # rows 1-4 exactly as the template has them
        assert [c.value for c in ws[r]] == [c.value for c in ows[r]]
        assert [c.number_format for c in ws[r]] == [c.number_format for c in ows[r]]
    assert wb.sheetnames == original.sheetnames
    assert set(wb.defined_names.keys()) == set(original.defined_names.keys())
    assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["D5:D1000"]
    for name in ("DANH_MUC", "TINH_THANH", "PHUONG_XA"):
        assert [[c.value for c in r] for r in wb[name].iter_rows()] == \
               [[c.value for c in r] for r in original[name].iter_rows()]
    row5 = [c.value for c in ws[5]]
    assert row5[:8] == [1, "Nguyễn Văn Mẫu", "01/04/1990", "M - Nam", "VNM - Viet Nam", "1 - Thẻ CCCD", None,
                        "040090012345"]
    assert row5[13:17] == ["27/11/2026", "29/11/2026", "101", "1 - Du lịch"]
    for col in "CHNO":
        assert ws[f"{col}5"].data_type == "s" and ws[f"{col}5"].number_format == "@"
    assert ws["Q6"].value == "19 - Lao động"
    assert ws["S7"].value == AMENDMENT_NOTE and ws["S5"].value is None
    assert ws.max_row == 7


def test_never_two_facilities_in_one_file_and_foreigners_as_xml(tmp_path, template):
    receiver = make_receiver(tmp_path, template)
    a, b, f = citizen(1), citizen(2), samples.notification(3, "foreigner")
    b["facility"]["code"] = "OTHER-2"
    f["stay"]["departed_at"] = None
    delivery = receiver.send(batch([a, b, f]))
    kinds = sorted((x.facility_code, x.kind, x.format) for x in delivery.files)
    assert kinds == [("OTHER-2", "citizens", "xlsx"), ("TEST-HOTEL-01", "citizens", "xlsx"),
                     ("TEST-HOTEL-01", "foreigners", "xml")]
    xml_file = next(x for x in delivery.files if x.format == "xml")
    assert os.path.dirname(xml_file.path).endswith("TEST-HOTEL-01")
    root = ET.parse(xml_file.path).getroot()
    assert root.tag == "KHAI_BAO_TAM_TRU"
    [guest] = root.findall("THONG_TIN_KHACH")
    got = {child.tag: child.text for child in guest}
    assert got == {"so_thu_tu": "1", "ho_ten": "Jane Testperson", "ngay_sinh": "31/12/1985",
                   "ngay_sinh_dung_den": "D", "gioi_tinh": "F", "ma_quoc_tich": "XXX", "so_ho_chieu": "X0000001",
                   "so_phong": "101", "ngay_den": "27/11/2026", "ngay_di_du_kien": "29/11/2026",
                   "ngay_tra_phong": "29/11/2026"}


def test_cancellation_and_departure_write_no_row(tmp_path, template):
    receiver = make_receiver(tmp_path, template)
    delivery = receiver.send(batch([samples.notification(1, event="cancellation"),
                                    samples.notification(2, event="departure")]))
    assert delivery.files == []
    assert {o.status for o in delivery.outcomes.values()} == {"accepted"}
    assert {o.receipt for o in delivery.outcomes.values()} == {NO_ROW_RECEIPT}
    assert not list((tmp_path / "out").rglob("*.xlsx"))


def test_rows_the_portal_would_refuse_are_rejected_not_written(tmp_path, template):
    receiver = make_receiver(tmp_path, template)
    no_departure = citizen(1)
    no_departure["stay"]["expected_departure"] = None
    unlisted = citizen(2, nationality="XXA")
    delivery = receiver.send(batch([no_departure, unlisted, citizen(3)]))
    assert delivery.outcomes["ntf_test0001"].code == "expected_departure.required_by_receiver"
    assert delivery.outcomes["ntf_test0002"].status == "retry"
    assert delivery.outcomes["ntf_test0003"].status == "awaiting_upload"
    assert delivery.files[0].rows == [("ntf_test0003", 1)]
    assert "XXA" in delivery.alert


def test_a_changed_template_pauses_then_resumes(tmp_path, template):
    receiver = make_receiver(tmp_path, template)
    assert receiver.paused is None
    ps.build_template(template, headers=ps.CITIZEN_HEADERS[:-1] + ("GHI CHU",))
    os.utime(template, ns=(1, 1))  # a different stamp, whatever the file system's time resolution
    delivery = receiver.send(batch([citizen(1)]))
    assert delivery.outcomes["ntf_test0001"].status == "retry"
    assert "column S" in receiver.paused and delivery.alert.startswith("paused: ")
    assert delivery.files == [] and not list((tmp_path / "out").rglob("*.xlsx"))
    ps.build_template(template)
    os.utime(template, ns=(2, 2))
    assert receiver.send(batch([citizen(1)], "bat_portal0002")).files[0].row_count == 1
    assert receiver.paused is None


def test_missing_template_pauses_but_config_loads(tmp_path):
    cfg = loads_receivers_config(f"""
[receivers.portal]
adapter = "vn_portal"
template = "{tmp_path / 'nope.xlsx'}"
directory = "{tmp_path / 'out'}"
[[routes]]
category = "residence"
receiver = "portal"
[[routes]]
category = "foreigner"
receiver = "portal"
""")
    assert "does not exist" in cfg.receivers["portal"].paused


def test_kbtt_lists_nationality_code_label(tmp_path, template):
    kbtt = tmp_path / "kbtt.xlsx"
    ps.build_kbtt(kbtt)
    receiver = make_receiver(tmp_path, template, foreigners="xlsx", foreigners_template=str(kbtt))
    n = samples.notification(1, "foreigner")
    n["person"]["nationality"] = "AUS"
    [f] = receiver.send(batch([n])).files
    ws = openpyxl.load_workbook(f.path)["KBTT"]
    assert [c.value for c in ws[4]] == [1, "Jane Testperson", "31/12/1985", "D", "F - Nữ", "AUS - Australia", "X0000001",
                                        "101", "27/11/2026", "29/11/2026", "29/11/2026"]


@pytest.mark.parametrize("options, problem", [
    ({}, "missing required option 'template'"),
    ({"template": "t.xlsx", "directory": "d", "foreigners": "csv"}, "foreigners must be"),
    ({"template": "t.xlsx", "directory": "d", "foreigners": "xlsx"}, "needs foreigners_template"),
])
def test_bad_options(options, problem):
    from accommnotify.receivers.base import ReceiverConfigError
    with pytest.raises(ReceiverConfigError) as err:
        VnPortalReceiver("portal", **options)
    assert problem in str(err.value)


def test_sample_does_not_change(tmp_path, template):
    # a batch's dicts are not modified by send (the dispatcher may log or reuse them)
    ns = [citizen(1)]
    before = copy.deepcopy(ns)
    make_receiver(tmp_path, template).send(batch(ns))
    assert ns == before


class _Unseekable(io.RawIOBase):
    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


def test_template_members_are_copied_as_they_are_even_with_data_descriptors(tmp_path):
    """Members are copied compressed, as they are; a zip written with data descriptors (by a
    streaming writer) is copied correctly too."""
    import zipfile
    from accommnotify.receivers.portal_xlsx import fill_template
    data = ps.build_template()
    src = zipfile.ZipFile(io.BytesIO(data))
    sink = _Unseekable()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as streamed:
        for info in src.infolist():
            streamed.writestr(info.filename, src.read(info.filename))
    streamed_bytes = bytes(sink.buf)
    assert any(i.flag_bits & 0x08 for i in zipfile.ZipFile(io.BytesIO(streamed_bytes)).infolist())
    out = fill_template(streamed_bytes, "DS_KHACH_VIET_NAM_LUU_TRU", [[1, "Nguyễn Văn Mẫu"]], first_row=5, style_row=4)
    z = zipfile.ZipFile(io.BytesIO(out))
    assert z.testzip() is None
    changed = ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml")
    for info in src.infolist():
        if info.filename not in changed:  # (this template had no shared strings: a table was added)
            assert z.read(info.filename) == src.read(info.filename), info.filename
    assert openpyxl.load_workbook(io.BytesIO(out))["DS_KHACH_VIET_NAM_LUU_TRU"]["B5"].value == "Nguyễn Văn Mẫu"


def test_an_excel_style_template_with_shared_strings(tmp_path):
    """Excel keeps text in a shared-string table: rows are appended to it, nothing else moves."""
    import zipfile
    path = tmp_path / "excel.xlsx"
    data = ps.with_shared_strings(ps.build_template())
    path.write_bytes(data)
    receiver = make_receiver(tmp_path, path)
    [f] = receiver.send(batch([citizen(1, full_name="Nguyễn Văn Mẫu"), citizen(2)])).files
    out = zipfile.ZipFile(f.path)
    src = zipfile.ZipFile(io.BytesIO(data))
    for info in src.infolist():
        if info.filename not in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"):
            assert out.read(info.filename) == src.read(info.filename), info.filename
    old_sst = src.read("xl/sharedStrings.xml").decode()
    new_sst = out.read("xl/sharedStrings.xml").decode()
    assert new_sst.startswith(old_sst[:old_sst.index("count=")])  # the table grew; the old entries kept
    original, wb = openpyxl.load_workbook(path), openpyxl.load_workbook(f.path)
    ws, ows = wb["DS_KHACH_VIET_NAM_LUU_TRU"], original["DS_KHACH_VIET_NAM_LUU_TRU"]
    for r in range(1, 5):
        assert [c.value for c in ws[r]] == [c.value for c in ows[r]]
    assert ws["B5"].value == "Nguyễn Văn Mẫu" and ws["D6"].value == "F - Nữ" and ws["A6"].value == 2


def test_a_reason_the_template_lacks_is_other_in_words(tmp_path):
    path = tmp_path / "t.xlsx"
    ps.build_template(path, reasons=[r for r in ps.REASONS if "Chăm sóc" not in r] + ["21 - Lý do mẫu 21"])
    n = citizen(1)
    n["stay"]["reason"] = "caregiving"
    [f] = make_receiver(tmp_path, path).send(batch([n])).files
    ws = openpyxl.load_workbook(f.path)["DS_KHACH_VIET_NAM_LUU_TRU"]
    assert (ws["Q5"].value, ws["R5"].value) == ("20 - Mục đích khác", "Chăm sóc người bệnh")
