"""Fills the `checkin` catalogs (vi, zh, ko) from the table below, then they are compiled.

    pybabel extract -F babel-checkin.cfg -k t -k _l -k lazy_gettext --no-default-keywords -o /tmp/checkin.pot .
    .venv/bin/python tools/checkin_translations.py /tmp/checkin.pot
    pybabel compile -D checkin -d accommnotify/translations

A msgid missing here is reported (and left untranslated: English shows)."""
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

T = {  # msgid: (vi, zh, ko)
    "Guest %(n)s": ("Khách %(n)s", "客人 %(n)s", "투숙객 %(n)s"),
    "Filled from the scan. Check the details, then send.": (
        "Đã điền từ mã. Hãy kiểm tra thông tin rồi gửi.", "已根据代码填写。请核对信息后再提交。",
        "코드로 입력했습니다. 정보를 확인한 후 보내 주세요."),
    "Please read the privacy notice and tick the box to agree.": (
        "Vui lòng đọc thông báo về bảo vệ dữ liệu cá nhân và đánh dấu vào ô để đồng ý.",
        "请阅读隐私声明并勾选同意。", "개인정보 안내를 읽고 동의란에 체크해 주세요."),
    "Tourism": ("Du lịch", "旅游", "관광"),
    "Business trip": ("Công tác", "商务出差", "출장"),
    "Family visit": ("Thăm thân", "探亲", "가족 방문"),
    "Medical treatment": ("Khám chữa bệnh", "就医", "치료"),
    "Caring for a patient": ("Chăm sóc người bệnh", "陪护病人", "환자 간병"),
    "Study": ("Học tập", "学习", "학업"),
    "Work": ("Làm việc", "工作", "근무"),
    "Other": ("Khác", "其他", "기타"),
    "Male": ("Nam", "男", "남"),
    "Female": ("Nữ", "女", "여"),
    "Passport": ("Hộ chiếu", "护照", "여권"),
    "Travel document": ("Giấy thông hành", "旅行证件", "여행 증명서"),
    "Visa": ("Thị thực", "签证", "비자"),
    "E-visa": ("Thị thực điện tử", "电子签证", "전자 비자"),
    "Visa exemption": ("Miễn thị thực", "免签", "비자 면제"),
    "Temporary residence card": ("Thẻ tạm trú", "暂住卡", "임시 거주증"),
    "Permanent residence card": ("Thẻ thường trú", "永久居留卡", "영주증"),
    "APEC business travel card": ("Thẻ đi lại doanh nhân APEC", "APEC商务旅行卡", "APEC 기업인 여행카드"),
    "Guests": ("Khách", "客人", "투숙객"),
    "Reason for the stay": ("Lý do lưu trú", "入住事由", "숙박 목적"),
    "Privacy notice": ("Thông báo về bảo vệ dữ liệu cá nhân", "隐私声明", "개인정보 안내"),
    "Vietnamese citizen or foreigner": ("Công dân Việt Nam hay người nước ngoài", "越南公民或外国人",
                                        "베트남 국민 또는 외국인"),
    "ID card QR code or passport MRZ": ("Mã QR căn cước hoặc dòng MRZ hộ chiếu", "身份证二维码或护照机读码（MRZ）",
                                        "신분증 QR 코드 또는 여권 MRZ"),
    "Full name": ("Họ và tên", "姓名", "성명"),
    "Date of birth": ("Ngày sinh", "出生日期", "생년월일"),
    "Sex": ("Giới tính", "性别", "성별"),
    "Personal ID number (12 digits)": ("Số định danh cá nhân (12 chữ số)", "个人身份号码（12位）",
                                       "개인 식별 번호 (12자리)"),
    "Passport number": ("Số hộ chiếu", "护照号码", "여권 번호"),
    "Nationality (3-letter code)": ("Quốc tịch (mã 3 chữ cái)", "国籍（三位字母代码）", "국적 (영문 3자리 코드)"),
    "Document": ("Giấy tờ", "证件", "서류"),
    "MRZ (two lines)": ("Dòng MRZ (hai dòng)", "机读码（两行）", "MRZ (두 줄)"),
    "Visa number": ("Số thị thực", "签证号码", "비자 번호"),
    "Visa valid until": ("Thị thực có giá trị đến", "签证有效期至", "비자 유효기간"),
    "Entry date": ("Ngày nhập cảnh", "入境日期", "입국일"),
    "Port of entry": ("Cửa khẩu nhập cảnh", "入境口岸", "입국 공항·항구"),
    "Purpose of entry": ("Mục đích nhập cảnh", "入境目的", "입국 목적"),
    "Phone": ("Số điện thoại", "电话", "전화번호"),
    "Permanent address": ("Địa chỉ thường trú", "常住地址", "상주 주소"),
    "Vietnamese citizen": ("Công dân Việt Nam", "越南公民", "베트남 국민"),
    "Foreigner": ("Người nước ngoài", "外国人", "외국인"),
    "Paste the QR code of a chip ID card or the two MRZ lines of a passport": (
        "Dán mã QR của thẻ căn cước gắn chip hoặc hai dòng MRZ của hộ chiếu",
        "粘贴芯片身份证的二维码内容或护照的两行机读码（MRZ）",
        "칩 신분증의 QR 코드 또는 여권의 MRZ 두 줄을 붙여 넣으세요"),
    "It fills the fields below; check them afterwards.": (
        "Các ô bên dưới sẽ được điền sẵn; hãy kiểm tra lại.", "系统会自动填写下方各栏，请随后核对。",
        "아래 칸이 자동으로 채워집니다. 채워진 내용을 확인해 주세요."),
    "Fill from the code": ("Điền từ mã", "根据代码填写", "코드로 입력"),
    "As written in your ID card or passport.": ("Như trên thẻ căn cước hoặc hộ chiếu.", "与身份证或护照上一致。",
                                                "신분증이나 여권에 적힌 대로 입력하세요."),
    "A child under 14 may have none if an adult of the same group has one.": (
        "Trẻ em dưới 14 tuổi có thể không có, nếu một người lớn cùng nhóm đã khai số.",
        "如同行成人已填写号码，14岁以下儿童可不填。",
        "같은 일행의 성인이 번호를 적었다면 14세 미만 어린이는 비워 둘 수 있습니다."),
    "As on the passport: CHN China, KOR Korea, USA, JPN, FRA …": (
        "Như trên hộ chiếu: CHN Trung Quốc, KOR Hàn Quốc, USA, JPN, FRA …",
        "与护照一致：CHN 中国、KOR 韩国、USA、JPN、FRA …", "여권과 같이: KOR 한국, CHN 중국, USA, JPN, FRA …"),
    "For example Noi Bai airport.": ("Ví dụ: sân bay Nội Bài.", "例如：内排机场。", "예: 노이바이 공항."),
    "Phone (optional)": ("Số điện thoại (không bắt buộc)", "电话（选填）", "전화번호 (선택)"),
    "Remove this guest": ("Bỏ khách này", "删除此客人", "이 투숙객 삭제"),
    "What: your full name, date of birth, sex, nationality and the number of your ID card or passport (for foreigners also visa and entry details), and a phone number and address if you give them.": (
        "Thông tin gì: họ và tên, ngày sinh, giới tính, quốc tịch và số thẻ căn cước hoặc hộ chiếu (người nước ngoài thêm thông tin thị thực và nhập cảnh), cùng số điện thoại và địa chỉ nếu bạn cung cấp.",
        "收集哪些信息：您的姓名、出生日期、性别、国籍及身份证或护照号码（外国人还包括签证和入境信息），以及您自愿提供的电话和地址。",
        "수집 항목: 성명, 생년월일, 성별, 국적, 신분증 또는 여권 번호(외국인은 비자 및 입국 정보 포함), 그리고 직접 적으신 경우 전화번호와 주소."),
    "Why: Vietnamese law requires every place of stay to notify the police of its guests (Law on Residence 2020, Art. 30; for foreigners Law 47/2014, Art. 33). The facility uses your details only for this notification.": (
        "Để làm gì: pháp luật Việt Nam yêu cầu mọi cơ sở lưu trú thông báo lưu trú của khách cho công an (Luật Cư trú 2020, Điều 30; người nước ngoài: Luật 47/2014, Điều 33). Cơ sở chỉ dùng thông tin của bạn cho việc thông báo này.",
        "用途：越南法律要求所有住宿场所向公安机关申报住客信息（2020年《居住法》第30条；外国人适用第47/2014号法律第33条）。本住宿场所仅将您的信息用于此项申报。",
        "목적: 베트남 법률은 모든 숙박시설이 투숙객을 공안에 신고하도록 정하고 있습니다(2020년 거주법 제30조, 외국인은 법률 47/2014 제33조). 숙박시설은 귀하의 정보를 이 신고에만 사용합니다."),
    "Who receives them: %(facility)s and the police of its ward or commune (for foreigners, the immigration authority). Nobody else.": (
        "Ai nhận: %(facility)s và công an phường, xã nơi cơ sở đặt trụ sở (người nước ngoài: cơ quan quản lý xuất nhập cảnh). Không ai khác.",
        "接收方：%(facility)s 及其所在坊/社的公安机关（外国人信息另交出入境管理机关）。不提供给任何其他人。",
        "제공 대상: %(facility)s 및 해당 시설 소재 동·읍·면 공안(외국인은 출입국 관리 기관). 그 외에는 제공하지 않습니다."),
    "How long: until the staff confirm your check-in (unconfirmed entries are deleted after 24 hours); then as long as the law on residence requires, after which they are deleted.": (
        "Lưu bao lâu: đến khi nhân viên xác nhận (thông tin không được xác nhận sẽ bị xóa sau 24 giờ); sau đó theo thời hạn pháp luật về cư trú yêu cầu, hết thời hạn sẽ bị xóa.",
        "保存期限：保存至工作人员确认入住（未确认的信息24小时后删除）；确认后按居住相关法律要求的期限保存，期满删除。",
        "보관 기간: 직원이 체크인을 확인할 때까지(확인되지 않은 정보는 24시간 후 삭제), 그 후에는 거주 관련 법률이 정한 기간 동안 보관하며 기간이 끝나면 삭제합니다."),
    "Your rights under the Law on Personal Data Protection (Law 91/2025/QH15): to know, to see and to have your details corrected. Ask the reception.": (
        "Quyền của bạn theo Luật Bảo vệ dữ liệu cá nhân (Luật 91/2025/QH15): được biết, được xem và được yêu cầu sửa thông tin của mình. Hãy hỏi quầy lễ tân.",
        "您依据《个人数据保护法》（第91/2025/QH15号法律）享有知情、查阅和更正本人信息的权利。请向前台咨询。",
        "개인정보보호법(법률 91/2025/QH15)에 따른 권리: 자신의 정보에 대해 알 권리, 열람할 권리, 정정을 요구할 권리가 있습니다. 프런트에 문의하세요."),
    "Check-in": ("Khai báo lưu trú", "入住登记", "체크인"),
    "Language": ("Ngôn ngữ", "语言", "언어"),
    "Check-in: your details": ("Khai báo lưu trú: thông tin của bạn", "入住登记：您的信息", "체크인: 투숙객 정보"),
    "Fill in your own details (and those of who stays with you). The staff check them against your documents and confirm.": (
        "Hãy tự điền thông tin của bạn (và của người ở cùng). Nhân viên sẽ đối chiếu với giấy tờ và xác nhận.",
        "请填写您本人（及同住人员）的信息。工作人员将核对您的证件后确认。",
        "본인(및 동반 투숙객)의 정보를 입력해 주세요. 직원이 신분증과 대조한 후 확인합니다."),
    "Too many check-ins were sent from this network. Please try again in %(s)s seconds; what you typed is kept below.": (
        "Có quá nhiều lượt khai báo được gửi từ mạng này. Vui lòng thử lại sau %(s)s giây; những gì bạn đã nhập vẫn được giữ bên dưới.",
        "该网络提交的登记过多。请在 %(s)s 秒后重试；您已填写的内容保留在下方。",
        "이 네트워크에서 너무 많은 체크인이 전송되었습니다. %(s)s초 후에 다시 시도해 주세요. 입력하신 내용은 아래에 그대로 있습니다."),
    "Many check-ins are waiting at the reception right now. Please try again in %(s)s seconds; what you typed is kept below.": (
        "Lễ tân đang có nhiều lượt khai báo chờ xử lý. Vui lòng thử lại sau %(s)s giây; những gì bạn đã nhập vẫn được giữ bên dưới.",
        "前台目前有许多待处理的登记。请在 %(s)s 秒后重试；您已填写的内容保留在下方。",
        "지금 프런트에 처리를 기다리는 체크인이 많습니다. %(s)s초 후에 다시 시도해 주세요. 입력하신 내용은 아래에 그대로 있습니다."),
    "Too many wrong links were opened from this network. Please try again in %(s)s seconds.": (
        "Có quá nhiều liên kết sai được mở từ mạng này. Vui lòng thử lại sau %(s)s giây.",
        "该网络打开的错误链接过多。请在 %(s)s 秒后重试。",
        "이 네트워크에서 잘못된 링크가 너무 많이 열렸습니다. %(s)s초 후에 다시 시도해 주세요."),
    "Please check these fields": ("Vui lòng kiểm tra các ô sau", "请检查以下各栏", "다음 항목을 확인해 주세요"),
    "+ Add a companion": ("+ Thêm người đi cùng", "+ 添加同行人", "+ 동반자 추가"),
    "I have read the privacy notice and agree that my details are sent to the police as described.": (
        "Tôi đã đọc thông báo về bảo vệ dữ liệu cá nhân và đồng ý để thông tin của tôi được gửi cho công an như đã nêu.",
        "我已阅读隐私声明，并同意按上述说明将我的信息提交给公安机关。",
        "개인정보 안내를 읽었으며, 안내된 대로 제 정보가 공안에 제공되는 것에 동의합니다."),
    "Send to the reception": ("Gửi cho lễ tân", "提交给前台", "프런트로 보내기"),
    "This check-in link has expired": ("Liên kết khai báo này đã hết hạn", "此登记链接已过期", "이 체크인 링크는 만료되었습니다"),
    "The QR code at the desk changes every few minutes, and a booking's link only lasts a short time. Scan the code at the reception desk again, or ask the staff for a new link.": (
        "Mã QR ở quầy thay đổi sau vài phút, và liên kết theo đặt phòng chỉ có hiệu lực trong thời gian ngắn. Hãy quét lại mã ở quầy lễ tân, hoặc xin nhân viên liên kết mới.",
        "前台的二维码每隔几分钟更换一次，预订链接的有效期也很短。请重新扫描前台的二维码，或向工作人员索取新链接。",
        "프런트의 QR 코드는 몇 분마다 바뀌고, 예약 링크도 짧은 시간만 유효합니다. 프런트의 코드를 다시 스캔하거나 직원에게 새 링크를 요청하세요."),
    "This check-in link does not work": ("Liên kết khai báo này không dùng được", "此登记链接无效", "이 체크인 링크는 사용할 수 없습니다"),
    "The form was too large to send. Remove some guests and send again.": (
        "Biểu mẫu quá lớn để gửi. Hãy bớt một số khách rồi gửi lại.", "表单过大，无法提交。请删除部分客人后重新提交。",
        "양식이 너무 커서 보낼 수 없습니다. 투숙객 일부를 삭제한 후 다시 보내 주세요."),
    "Check the link, or scan the QR code at the reception desk again.": (
        "Hãy kiểm tra liên kết, hoặc quét lại mã QR ở quầy lễ tân.", "请检查链接，或重新扫描前台的二维码。",
        "링크를 확인하거나 프런트의 QR 코드를 다시 스캔해 주세요."),
    "Sent. Please wait for the staff to confirm.": ("Đã gửi. Vui lòng chờ nhân viên xác nhận.", "已提交，请等待工作人员确认。",
                                                    "전송되었습니다. 직원의 확인을 기다려 주세요."),
    "Details of %(n)s guest(s) were sent to the reception.": ("Thông tin của %(n)s khách đã được gửi cho lễ tân.",
                                                              "已将 %(n)s 位客人的信息提交给前台。",
                                                              "투숙객 %(n)s명의 정보가 프런트로 전송되었습니다."),
    "The staff will check your documents and confirm your check-in. Nothing more is needed from you on this page.": (
        "Nhân viên sẽ kiểm tra giấy tờ và xác nhận cho bạn. Bạn không cần làm gì thêm trên trang này.",
        "工作人员将核对您的证件并确认入住。您无需在本页面进行其他操作。",
        "직원이 신분증을 확인한 후 체크인을 확정합니다. 이 페이지에서 더 하실 일은 없습니다."),
    "For your privacy this page does not show your details again.": (
        "Để bảo vệ dữ liệu cá nhân, trang này không hiển thị lại thông tin của bạn.", "为保护您的隐私，本页面不会再次显示您的信息。",
        "개인정보 보호를 위해 이 페이지는 입력하신 정보를 다시 보여 주지 않습니다."),
}
LANGS = ("vi", "zh", "ko")
ROOT = Path(__file__).resolve().parent.parent / "accommnotify" / "translations"


def main(pot: str) -> int:
    with open(pot, "rb") as f:
        template = read_po(f)
    missing = [m.id for m in template if m.id and m.id not in T]
    for index, lang in enumerate(LANGS):
        with open(pot, "rb") as f:
            catalog = read_po(f, locale=lang)
        catalog.domain = "checkin"
        catalog.fuzzy = False
        for message in catalog:
            if message.id and message.id in T:
                message.string = T[message.id][index]
        out = ROOT / lang / "LC_MESSAGES" / "checkin.po"
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as f:
            write_po(f, catalog, width=100, omit_header=False)
    for m in missing:
        print("untranslated:", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
