"""Rule messages in Chinese and Korean, for the codes a guest's own entry can meet.

The rule set's messages (rules/messages.py, shared with the API) are Vietnamese and English. The
guest pages also speak Chinese and Korean, so the codes a guest can cause have zh / ko texts here;
any other code (one a guest should never see, e.g. a receiver's requirement) falls back to the
English rule message. Same codes, same parameters: nothing here judges anything.
"""
from ..rules.messages import DEFAULT_PARAMS, message

GUEST_MESSAGES: dict[str, dict[str, str]] = {
    "required": {"zh": "此栏为必填项。", "ko": "필수 항목입니다."},
    "type": {"zh": "填写的内容格式不对。", "ko": "입력 형식이 올바르지 않습니다."},
    "format": {"zh": "填写的内容格式不对。", "ko": "입력 형식이 올바르지 않습니다."},
    "choice": {"zh": "请从列表中选择。", "ko": "목록에서 선택해 주세요."},
    "too_long": {"zh": "最多 {max} 个字符。", "ko": "최대 {max}자까지 입력할 수 있습니다."},
    "too_short": {"zh": "至少 {min} 个字符。", "ko": "최소 {min}자 이상 입력해 주세요."},
    "text.invalid_character": {"zh": "内容含有无效字符。", "ko": "입력에 사용할 수 없는 문자가 있습니다."},
    "id_number.format": {"zh": "个人身份号码必须为12位数字。", "ko": "개인 식별 번호는 12자리 숫자여야 합니다."},
    "id_number.legacy_cmnd": {"zh": "9位旧身份证号（CMND）自2025年1月1日起失效，请填写12位个人身份号码。",
                              "ko": "9자리 구 신분증 번호(CMND)는 2025년 1월 1일부터 무효입니다. 12자리 개인 식별 번호를 입력해 주세요."},
    "id_number.unknown_prefix": {"zh": "个人身份号码的前三位不是有效的出生登记地代码。",
                                 "ko": "개인 식별 번호의 앞 세 자리가 유효한 출생 등록지 코드가 아닙니다."},
    "id_number.sex_century_mismatch": {"zh": "个人身份号码的第4位与性别或出生世纪不符。",
                                       "ko": "개인 식별 번호의 넷째 자리가 성별 또는 출생 세기와 맞지 않습니다."},
    "id_number.birth_year_mismatch": {"zh": "个人身份号码的第5–6位与出生年份不符。",
                                      "ko": "개인 식별 번호의 5–6번째 자리가 출생 연도와 맞지 않습니다."},
    "id_number.required": {"zh": "越南公民须填写个人身份号码（旅居国外者可填护照号码）；如同行成人已填写，14岁以下儿童可不填。",
                           "ko": "베트남 국민은 개인 식별 번호(해외 거주자는 여권 번호)가 필요합니다. 같은 일행의 성인이 번호를 적었다면 14세 미만 어린이는 비워 둘 수 있습니다."},
    "full_name.invalid": {"zh": "姓名只能包含字母、空格、撇号、连字符和句点，最多 {max} 个字符。",
                          "ko": "성명에는 문자, 공백, 아포스트로피, 하이픈, 마침표만 쓸 수 있으며 최대 {max}자입니다."},
    "date_of_birth.in_future": {"zh": "出生日期不能晚于今天。", "ko": "생년월일이 미래일 수 없습니다."},
    "date_of_birth.too_early": {"zh": "出生日期不能早于 {min} 年。", "ko": "생년월일은 {min}년 이전일 수 없습니다."},
    "date_of_birth.implausible": {"zh": "出生日期不合理（年龄超过 {max} 岁）。", "ko": "생년월일이 올바르지 않습니다({max}세 초과)."},
    "nationality.unknown": {"zh": "国籍代码无效（请填写护照上的三位字母代码，如 CHN）。",
                            "ko": "국적 코드가 올바르지 않습니다(여권의 영문 3자리 코드, 예: KOR)."},
    "document.required": {"zh": "外国人须填写护照或旅行证件号码。", "ko": "외국인은 여권 또는 여행 증명서 번호가 필요합니다."},
    "document.format": {"zh": "证件号码须为5–20位大写字母（A–Z）或数字。", "ko": "서류 번호는 5–20자리 영문 대문자(A–Z) 또는 숫자여야 합니다."},
    "visa.required": {"zh": "请填写签证信息：签证类型，以及有效期（免签除外）。",
                      "ko": "비자 정보가 필요합니다: 비자 종류와 유효기간(비자 면제 제외)."},
    "visa.expired": {"zh": "签证或居留证件在入住日期之前已过期。", "ko": "비자 또는 체류 서류가 체크인 날짜 전에 만료되었습니다."},
    "entry_date.after_arrival": {"zh": "入境日期不能晚于入住日期。", "ko": "입국일은 체크인 날짜보다 늦을 수 없습니다."},
    "mrz.format": {"zh": "机读码（MRZ）无效（应为两行，每行44个字符）。", "ko": "MRZ가 올바르지 않습니다(44자씩 두 줄)."},
    "mrz.check_digit": {"zh": "机读码（MRZ）的校验位不正确，请重新粘贴或输入。", "ko": "MRZ의 검증 숫자가 맞지 않습니다. 다시 붙여 넣거나 입력해 주세요."},
    "mrz.mismatch": {"zh": "机读码（MRZ）与填写的信息不符。", "ko": "MRZ가 입력한 정보와 맞지 않습니다."},
    "guests.too_many": {"zh": "一次最多 {max} 位客人。", "ko": "한 번에 최대 {max}명까지 가능합니다."},
    "scan.malformed": {"zh": "无法读取该代码（身份证二维码或护照机读码不完整或无效），请重新粘贴。",
                       "ko": "코드를 읽을 수 없습니다(신분증 QR 코드 또는 여권 MRZ가 불완전하거나 올바르지 않음). 다시 붙여 넣어 주세요."},
    "scan.birth_year_only": {"zh": "已填写可读取的信息；二维码中只有出生年份，请按证件填写完整的出生日期。",
                             "ko": "읽을 수 있는 정보를 입력했습니다. QR 코드에는 출생 연도만 있으니 서류를 보고 생년월일 전체를 입력해 주세요."},
}


def guest_message(code: str, lang: str, **params) -> str:
    """The rule message of `code` in vi / en (the rule set's own), zh / ko (above), else English."""
    if lang in ("vi", "en"):
        return message(code, lang, **params)
    template = GUEST_MESSAGES.get(code, {}).get(lang)
    if template is None:
        return message(code, "en", **params)
    values = {**DEFAULT_PARAMS.get(code, {}), **params}
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return message(code, "en", **params)
