"""Vietnamese and English texts for every issue code.

Messages never contain personal data: templates only take codes' parameters such as a maximum
length or which part of an MRZ disagreed, never a name or a number given by the user.
"""

from __future__ import annotations

import re
from functools import lru_cache

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

MESSAGES: dict[str, dict[str, str]] = {
    # --- generic shape codes (API layer, schema) ---
    "required": {
        "vi": "Trường này là bắt buộc.",
        "en": "This field is required.",
    },
    "type": {
        "vi": "Giá trị không đúng kiểu dữ liệu.",
        "en": "The value has the wrong type.",
    },
    "text.invalid_character": {
        "vi": "Giá trị chứa ký tự không hợp lệ (ký tự NUL hoặc mã UTF-16 lẻ).",
        "en": "The value contains an invalid character (a NUL byte or a lone UTF-16 surrogate).",
    },
    "unknown_field": {
        "vi": "Trường này không được hỗ trợ.",
        "en": "Unknown field.",
    },
    "too_long": {
        "vi": "Dài tối đa {max} ký tự.",
        "en": "Must be at most {max} characters long.",
    },
    "too_short": {
        "vi": "Phải có ít nhất {min} ký tự.",
        "en": "Must be at least {min} characters long.",
    },
    "out_of_range": {
        "vi": "Giá trị phải nằm trong khoảng từ {min} đến {max}.",
        "en": "Must be between {min} and {max}.",
    },
    "choice": {
        "vi": "Giá trị không hợp lệ; chọn một trong: {choices}.",
        "en": "Not an allowed value; choose one of: {choices}.",
    },
    # --- webhooks (facility API) ---
    "webhook.url_format": {
        "vi": "Địa chỉ phải là một URL http:// hoặc https:// đầy đủ, không kèm tên đăng nhập hay mật khẩu.",
        "en": "Must be a full http:// or https:// URL, without a user name or password.",
    },
    "webhook.url_https_required": {
        "vi": "Địa chỉ nhận webhook phải dùng https://.",
        "en": "The webhook URL must use https://.",
    },
    "webhook.url_private": {
        "vi": "Không được gửi webhook tới localhost hoặc địa chỉ IP nội bộ.",
        "en": "Webhooks cannot be sent to localhost or a private IP address.",
    },
    "webhook.no_events": {
        "vi": "Hãy chọn ít nhất một loại sự kiện.",
        "en": "Choose at least one event type.",
    },
    "webhook.too_many": {
        "vi": "Mỗi cơ sở có tối đa {max} đăng ký webhook.",
        "en": "A facility can have at most {max} webhook subscriptions.",
    },
    "format": {
        "vi": "Giá trị không đúng định dạng.",
        "en": "The value is not in the expected format.",
    },
    "invalid_json": {
        "vi": "Nội dung yêu cầu không phải JSON hợp lệ.",
        "en": "The request body is not valid JSON.",
    },
    # --- daily proofs (issue 12) ---
    "proof.date_in_future": {
        "vi": "Ngày này chưa đến: chỉ lập được bảng xác nhận cho hôm nay hoặc ngày đã qua (giờ Việt Nam).",
        "en": "This day has not come yet: a proof is made for today or a past day (Vietnam time).",
    },
    # --- portal files (vn_portal receiver, issue 9) ---
    "portal_file.mismatch": {
        "vi": "Cổng hiển thị {shown} bản ghi nhưng tệp có {expected}. Kiểm tra: đã tải đúng tệp này lên chưa, "
              "đúng tài khoản của cơ sở chưa, tệp có bị mở và sửa trước khi tải lên không (cổng bỏ qua dòng 4 và "
              "đọc từ dòng 5). Tải lại đúng tệp rồi xác nhận lại.",
        "en": "The portal shows {shown} records but the file has {expected}. Check that you uploaded this very file, "
              "to your facility's account, without opening and editing it first (the portal skips row 4 and reads "
              "from row 5). Upload the file again, then confirm again.",
    },
    "portal_file.already_confirmed": {
        "vi": "Tệp này đã được xác nhận với {expected} bản ghi.",
        "en": "This file was already confirmed with {expected} records.",
    },
    "document_kind.not_applicable": {
        "vi": "Loại giấy tờ chỉ dùng cho công dân Việt Nam.",
        "en": "The document kind applies to Vietnamese citizens only.",
    },
    "document_kind.mismatch": {
        "vi": "Loại giấy tờ không khớp với số đã nhập (thẻ CCCD/Căn cước cần số định danh, hộ chiếu cần số hộ chiếu).",
        "en": "The document kind does not match the number given (an ID card needs the ID number, a passport the passport number).",
    },
    "document_kind.name_without_other": {
        "vi": "Chỉ nhập tên giấy tờ khi loại giấy tờ là \"khác\".",
        "en": "Give a document name only when the document kind is \"other\".",
    },
    "portal_file.changed": {
        "vi": "Tệp trên máy chủ không còn giống tệp đã ghi.",
        "en": "The file on the server is not the file that was written.",
    },
    "expected_departure.required_by_receiver": {
        "vi": "Cổng khai báo yêu cầu ngày đi dự kiến.",
        "en": "The declaration portal requires an expected departure date.",
    },
    "id_number.required_by_receiver": {
        "vi": "Cổng khai báo yêu cầu số giấy tờ cho mỗi khách (kể cả trẻ em).",
        "en": "The declaration portal requires a document number for every guest (children too).",
    },
    "body_too_large": {
        "vi": "Nội dung yêu cầu quá lớn (tối đa {max_bytes} byte).",
        "en": "The request body is too large (at most {max_bytes} bytes).",
    },
    # --- personal identification number ---
    "id_number.format": {
        "vi": "Số định danh cá nhân phải gồm đúng 12 chữ số.",
        "en": "The personal identification number must be exactly 12 digits.",
    },
    "id_number.legacy_cmnd": {
        "vi": "Số chứng minh nhân dân 9 số không còn giá trị từ ngày 01/01/2025; "
        "hãy nhập số định danh cá nhân 12 số.",
        "en": "A 9-digit ID card number (CMND) is no longer valid since 1 January 2025; "
        "enter the 12-digit personal identification number.",
    },
    "id_number.unknown_prefix": {
        "vi": "Ba chữ số đầu của số định danh cá nhân không phải mã nơi đăng ký khai sinh "
        "(mã một trong 63 tỉnh, thành phố trước năm 2025, hoặc 101–295 nếu khai sinh ở nước ngoài).",
        "en": "The first three digits of the personal identification number are not a "
        "birth-registration code (one of the 63 pre-2025 province codes, or 101–295 for a "
        "birth registered abroad).",
    },
    "id_number.sex_century_mismatch": {
        "vi": "Chữ số thứ tư của số định danh cá nhân không khớp với giới tính hoặc thế kỷ của năm sinh.",
        "en": "The fourth digit of the personal identification number does not match the sex "
        "or the century of birth.",
    },
    "id_number.birth_year_mismatch": {
        "vi": "Chữ số thứ năm và thứ sáu của số định danh cá nhân không khớp với năm sinh.",
        "en": "Digits 5–6 of the personal identification number do not match the year of birth.",
    },
    "id_number.required": {
        "vi": "Công dân Việt Nam phải có số định danh cá nhân (hoặc số hộ chiếu nếu định cư ở "
        "nước ngoài); trẻ em dưới 14 tuổi được miễn nếu đi cùng người từ 18 tuổi có số định danh.",
        "en": "A Vietnamese citizen needs a personal identification number (or a passport number "
        "if living abroad); a child under 14 may have none if an adult in the same stay has one.",
    },
    "id_number.not_applicable": {
        "vi": "Số định danh cá nhân chỉ dành cho công dân Việt Nam; người nước ngoài khai báo "
        "hộ chiếu hoặc giấy tờ thay hộ chiếu.",
        "en": "A personal identification number applies only to Vietnamese citizens; a foreigner "
        "gives a passport or travel document.",
    },
    # --- person ---
    "full_name.invalid": {
        "vi": "Họ và tên chỉ được gồm chữ cái, dấu cách, dấu nháy đơn, dấu gạch nối, dấu chấm "
        "và dài tối đa {max} ký tự.",
        "en": "A full name may contain only letters, spaces, apostrophes, hyphens and periods, "
        "and be at most {max} characters long.",
    },
    "date_of_birth.in_future": {
        "vi": "Ngày sinh không được ở tương lai.",
        "en": "The date of birth cannot be in the future.",
    },
    "date_of_birth.too_early": {
        "vi": "Ngày sinh không được trước năm {min}.",
        "en": "The date of birth cannot be before the year {min}.",
    },
    "date_of_birth.implausible": {
        "vi": "Ngày sinh không hợp lý (tuổi lớn hơn {max}).",
        "en": "The date of birth is implausible (age over {max}).",
    },
    "nationality.unknown": {
        "vi": "Mã quốc tịch không hợp lệ (dùng mã ISO 3166-1 alpha-3, ví dụ VNM).",
        "en": "Unknown nationality code (use ISO 3166-1 alpha-3, e.g. VNM).",
    },
    # --- foreigners ---
    "document.required": {
        "vi": "Người nước ngoài phải khai báo hộ chiếu hoặc giấy tờ thay hộ chiếu.",
        "en": "A foreigner must give a passport or travel document.",
    },
    "document.format": {
        "vi": "Số hộ chiếu hoặc giấy tờ phải gồm 5–20 ký tự là chữ in hoa (A–Z) hoặc chữ số.",
        "en": "The document number must be 5–20 capital letters (A–Z) or digits.",
    },
    "visa.required": {
        "vi": "Cần khai báo thị thực: loại giấy tờ và ngày hết hạn (trừ trường hợp miễn thị thực).",
        "en": "Visa details are required: the kind, and the valid-until date unless visa-exempt.",
    },
    "visa.expired": {
        "vi": "Thị thực hoặc giấy tờ cư trú hết hạn trước ngày đến.",
        "en": "The visa or residence document expires before the arrival date.",
    },
    "document.expired": {
        "vi": "Hộ chiếu, giấy tờ (theo vùng MRZ) đã hết hạn trước ngày đến; đã nhận thông tin, "
        "hãy kiểm tra lại giấy tờ của khách.",
        "en": "The passport or travel document (by its MRZ) expired before the arrival date; "
        "accepted, but check the guest's document.",
    },
    "entry_date.after_arrival": {
        "vi": "Ngày nhập cảnh không được sau ngày đến cơ sở lưu trú.",
        "en": "The entry date cannot be after the arrival date.",
    },
    "mrz.format": {
        "vi": "Vùng đọc máy (MRZ) không đúng định dạng hộ chiếu (2 dòng, mỗi dòng 44 ký tự).",
        "en": "The machine-readable zone (MRZ) is not a valid passport MRZ (2 lines of 44 characters).",
    },
    "mrz.check_digit": {
        "vi": "Số kiểm tra của vùng MRZ không đúng ({part}); hãy quét hoặc nhập lại.",
        "en": "An MRZ check digit is wrong ({part}); scan or type it again.",
    },
    "mrz.mismatch": {
        "vi": "Vùng MRZ không khớp với {part} đã khai.",
        "en": "The MRZ does not match the {part} given.",
    },
    # --- geography ---
    "ward.unknown": {
        "vi": "Mã xã, phường không có trong danh mục hành chính hiện hành (từ 01/07/2025).",
        "en": "Unknown ward/commune code on the current administrative map (since 1 July 2025).",
    },
    "ward.pre_2025": {
        "vi": "Mã xã, phường này không có trong danh mục hành chính từ 01/07/2025; có lẽ là mã cũ "
        "(trước khi sắp xếp, sáp nhập). Hãy dùng mã của xã, phường mới (danh mục mã đơn vị hành chính "
        "từ 01/07/2025, như trong gói vietnam-provinces mà dịch vụ dùng).",
        "en": "This ward/commune code is not on the administrative map in force since 1 July 2025; it "
        "looks like an old (pre-2025) code from before the mergers. Use the code of the new ward (the "
        "list of administrative unit codes in force since 1 July 2025, as in the vietnam-provinces "
        "package this service uses).",
    },
    "ward.replaced": {
        "vi": "Đây là mã xã, phường cũ (trước 01/07/2025); nay thuộc: {replaced_by}.",
        "en": "This is an old (pre-2025) ward/commune code; it is now part of: {replaced_by}.",
    },
    "province.unknown": {
        "vi": "Mã tỉnh, thành phố không có trong danh mục hiện hành (34 tỉnh, thành phố).",
        "en": "Unknown province code on the current map (34 provinces).",
    },
    "ward.province_mismatch": {
        "vi": "Xã, phường không thuộc tỉnh, thành phố đã chọn.",
        "en": "The ward/commune does not belong to the given province.",
    },
    # --- stay ---
    "stay.arrival_too_early": {
        "vi": "Thời điểm đến không được trước năm {min}.",
        "en": "The arrival cannot be before the year {min}.",
    },
    "stay.arrival_in_future": {
        "vi": "Thời điểm đến không được muộn hơn hiện tại quá 10 phút.",
        "en": "The arrival time cannot be more than 10 minutes in the future.",
    },
    "stay.departure_before_arrival": {
        "vi": "Thời điểm dự kiến rời đi không được trước thời điểm đến.",
        "en": "The expected departure cannot be before the arrival.",
    },
    "stay.departure_in_future": {
        "vi": "Thời điểm rời đi không được ở tương lai.",
        "en": "The departure cannot be in the future.",
    },
    "departure.undo_too_late": {
        "vi": "Không thể hoàn tác trả phòng nữa: thông báo rời đi đã được gửi hoặc đã quá 10 phút.",
        "en": "The check-out can no longer be undone: the departure was already sent or 10 minutes have passed.",
    },
    "stay.cancelled": {
        "vi": "Lượt lưu trú này đã bị hủy, không thể thay đổi.",
        "en": "This stay was cancelled and cannot be changed.",
    },
    "guests.last_guest": {
        "vi": "Không thể xóa khách cuối cùng: một lượt lưu trú phải còn ít nhất một khách. Nếu cả lượt "
        "lưu trú bị nhập nhầm, hãy hủy lượt lưu trú.",
        "en": "The last guest cannot be removed: a stay keeps at least one guest. If the whole stay was "
        "entered by mistake, cancel the stay.",
    },
    "guest.removed": {
        "vi": "Khách này đã bị xóa khỏi lượt lưu trú, không thể sửa.",
        "en": "This guest was removed from the stay and cannot be changed.",
    },
    "external_ref.conflict": {
        "vi": "Mã đặt phòng này đã được dùng cho một lượt lưu trú có nội dung khác.",
        "en": "This external_ref was already used for a stay with different content.",
    },
    "not_found": {
        "vi": "Không tìm thấy mục này trong lượt lưu trú.",
        "en": "No such item in this stay.",
    },
    "stay.arrival_long_ago": {
        "vi": "Thời điểm đến cách đây hơn {days} ngày; đã nhận thông tin (thông báo sẽ bị đánh dấu "
        "trễ hạn), hãy kiểm tra lại ngày đến.",
        "en": "The arrival is more than {days} days ago; accepted (its notification will be marked "
        "late), but check the arrival date.",
    },
    "stay.temporary_residence_required": {
        "vi": "Thời gian lưu trú dự kiến từ {days} ngày trở lên: cần đăng ký tạm trú thay cho "
        "thông báo lưu trú.",
        "en": "A planned stay of {days} days or more needs a temporary-residence registration "
        "instead of a stay notification.",
    },
    "facility_code.other": {
        "vi": "Một yêu cầu gửi nhiều lần lưu trú chỉ dành cho một cơ sở: ghi mã cơ sở một lần ở đầu yêu cầu.",
        "en": "A bulk request is for one facility: give its code once, at the top of the request.",
    },
    "guests.too_many": {
        "vi": "Một lần lưu trú có tối đa {max} người.",
        "en": "A stay can have at most {max} guests.",
    },
    # --- rooms (issue 13 item 4; words neutral: a room or, in a hospital, a bed) ---
    "room.name_taken": {
        "vi": "Tên này đã có trong danh sách của cơ sở.",
        "en": "This name is already on the facility's list.",
    },
    "room.range_order": {
        "vi": "Khoảng không hợp lệ: số đầu phải nhỏ hơn hoặc bằng số cuối (ví dụ 101-110).",
        "en": "Not a valid range: the first number must not be above the last (e.g. 101-110).",
    },
    "room.range_too_large": {
        "vi": "Mỗi lần thêm tối đa {max} tên.",
        "en": "At most {max} names can be added at once.",
    },
    "room.too_many": {
        "vi": "Cơ sở đã có tối đa {max} tên trong danh sách.",
        "en": "The facility's list already has the maximum of {max} names.",
    },
    "room.occupied": {
        "vi": "Đang có khách ở đây: trả phòng hoặc sửa thông tin lưu trú của khách trước.",
        "en": "Guests are in house here: check them out or correct their stays first.",
    },
    # --- companions of a patient (issue 13 item 1: hospitals; rules.companions) ---
    "guests.accompanies.unknown": {
        "vi": "Không có người được đi cùng này trong lần lưu trú (hãy ghi số thứ tự của người bệnh "
        "trong danh sách, bắt đầu từ 0, hoặc mã khách của người bệnh).",
        "en": "The person accompanied is not in this stay (give the patient's position in the list, "
        "from 0, or the patient's guest id).",
    },
    "guests.accompanies.self": {
        "vi": "Một người không thể đi cùng chính mình.",
        "en": "A person cannot accompany themselves.",
    },
    "guests.accompanies.chain": {
        "vi": "Người được đi cùng cũng đang là người đi cùng người khác; hãy ghi người bệnh.",
        "en": "The person accompanied is accompanying someone else; name the patient instead.",
    },
    "guests.accompanies.removed": {
        "vi": "Còn người nhà đi cùng người này: hãy xóa hoặc đổi người nhà trước.",
        "en": "Someone still accompanies this person: remove or relink the companions first.",
    },
    # --- dormitory terms (docs/DORMITORIES.md) ---
    "term.ends_before_start": {
        "vi": "Ngày kết thúc học kỳ phải từ ngày bắt đầu trở đi.",
        "en": "The term must end on or after the day it starts.",
    },
    "term.too_long": {
        "vi": "Một học kỳ dài tối đa {days} ngày; hãy kiểm tra lại ngày.",
        "en": "A term lasts at most {days} days; check the dates.",
    },
    "term.name_taken": {
        "vi": "Cơ sở đã có học kỳ mang tên này.",
        "en": "This facility already has a term with this name.",
    },
    "term.not_started": {
        "vi": "Học kỳ chưa bắt đầu: chỉ khai báo khi sinh viên đã đến (từ ngày đầu của học kỳ).",
        "en": "The term has not started: declare the students once they have arrived (from its first day).",
    },
    "term.no_previous": {
        "vi": "Không có học kỳ nào trước học kỳ này.",
        "en": "There is no term before this one.",
    },
    # --- facility form scanner ---
    "scan.malformed": {
        "vi": "Không đọc được dữ liệu đã quét (mã QR căn cước hoặc MRZ hộ chiếu bị thiếu hoặc sai); "
        "hãy quét lại.",
        "en": "The scan could not be read (incomplete or invalid ID-card QR code or passport MRZ); "
        "please scan again.",
    },
    "scan.birth_year_only": {
        "vi": "Đã điền những gì đọc được từ mã quét; mã QR chỉ có năm sinh: hãy nhập ngày sinh đầy đủ "
        "theo giấy tờ.",
        "en": "Filled in what could be read from the scan; the QR code gives only the year of birth: enter "
        "the full date of birth from the document.",
    },
}

#: Used when a code has no entry.
GENERIC: dict[str, str] = {"vi": "Giá trị không hợp lệ.", "en": "Invalid value."}

#: Parameter values filled in when the caller gave none.
DEFAULT_PARAMS: dict[str, dict] = {
    "full_name.invalid": {"max": 100},
    "date_of_birth.implausible": {"max": 130},
    "date_of_birth.too_early": {"min": 1900},
    "stay.arrival_too_early": {"min": 2000},
    "stay.temporary_residence_required": {"days": 30},
    "stay.arrival_long_ago": {"days": 30},
    "guests.too_many": {"max": 200},
    "webhook.too_many": {"max": 20},
    "room.range_too_large": {"max": 100},
    "room.too_many": {"max": 2000},
    "term.too_long": {"days": 400},
}

#: Text used when a template's parameters are missing.
FALLBACKS: dict[str, dict[str, str]] = {
    "ward.replaced": {
        "vi": "Đây là mã xã, phường cũ (trước 01/07/2025); hãy dùng mã của xã, phường mới.",
        "en": "This is an old (pre-2025) ward/commune code; use the code of the new ward.",
    },
    "too_long": {"vi": "Giá trị quá dài.", "en": "The value is too long."},
    "too_short": {"vi": "Giá trị quá ngắn.", "en": "The value is too short."},
    "out_of_range": {"vi": "Giá trị nằm ngoài phạm vi cho phép.", "en": "The value is out of range."},
    "choice": {"vi": "Giá trị không nằm trong danh sách cho phép.", "en": "Not an allowed value."},
    "body_too_large": {"vi": "Nội dung yêu cầu quá lớn.", "en": "The request body is too large."},
    "mrz.check_digit": {
        "vi": "Số kiểm tra của vùng MRZ không đúng; hãy quét hoặc nhập lại.",
        "en": "An MRZ check digit is wrong; scan or type it again.",
    },
    "mrz.mismatch": {
        "vi": "Vùng MRZ không khớp với thông tin đã khai.",
        "en": "The MRZ does not match the details given.",
    },
}

#: Translations of the ``part`` parameter (MRZ fields).
PART_LABELS: dict[str, dict[str, str]] = {
    "document_number": {"vi": "số giấy tờ", "en": "document number"},
    "date_of_birth": {"vi": "ngày sinh", "en": "date of birth"},
    "birth_date": {"vi": "ngày sinh", "en": "date of birth"},
    "expiry_date": {"vi": "ngày hết hạn", "en": "expiry date"},
    "personal_number": {"vi": "số cá nhân", "en": "personal number"},
    "composite": {"vi": "số kiểm tra tổng hợp", "en": "composite check digit"},
    "sex": {"vi": "giới tính", "en": "sex"},
    "nationality": {"vi": "quốc tịch", "en": "nationality"},
}


def _param(key: str, value: object, lang: str) -> object:
    if key == "part" and isinstance(value, str) and value in PART_LABELS:
        return PART_LABELS[value][lang]
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return value


def message(code: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    """The text for ``code`` in ``lang`` ("vi" or "en"; anything else gives Vietnamese)."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    entry = MESSAGES.get(code)
    if entry is None:
        return GENERIC[lang]
    template = entry.get(lang) or entry.get("en") or entry.get("vi") or GENERIC[lang]
    if "{" not in template:
        return template
    values = dict(DEFAULT_PARAMS.get(code, ()))
    values.update((k, _param(k, v, lang)) for k, v in params.items())
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError):
        fallback = FALLBACKS.get(code)
        return fallback[lang] if fallback else GENERIC[lang]


_Q = re.compile(r"^q=([0-9.]+)$", re.I)


@lru_cache(maxsize=512)
def pick_language(accept_language_header: str | None) -> str:
    """"vi" or "en" from an Accept-Language header (q-values honoured); "vi" when nothing
    matches or the header is missing."""
    if not accept_language_header:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept_language_header.split(",")):
        tag, *attrs = (p.strip() for p in item.split(";"))
        q = 1.0
        for attr in attrs:
            attr = attr.replace(" ", "")
            if attr[:2].lower() == "q=":
                m = _Q.match(attr)
                try:
                    q = float(m.group(1)) if m else 0.0  # a malformed weight: not acceptable
                except ValueError:
                    q = 0.0
        lang = tag.split("-")[0].lower()
        if q > 0 and lang in LANGUAGES:
            ranked.append((-q, index, lang))
    if not ranked:
        return DEFAULT_LANGUAGE
    return min(ranked)[2]
