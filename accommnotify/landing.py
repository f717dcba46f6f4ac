"""`/`: a tiny landing page that sends each kind of visitor to their place (issue 11 item 12).

Server-rendered, no JavaScript, no personal data. Vietnamese first, English on request (the same
choice as every page: `?lang=`, the `lang` cookie, `Accept-Language`). Its few texts live here in
both languages rather than in a surface's catalog: the page belongs to neither surface.
"""
from flask import Blueprint, make_response, render_template, request, url_for

from .i18n import select_locale
from .web_auth import PAGES_CSP

bp = Blueprint("landing", __name__)

TEXTS = {
    "vi": {
        "title": "Thông báo lưu trú",
        "lead": "Cơ sở lưu trú thông báo khách lưu trú cho Công an xã, phường nơi cơ sở đặt trụ sở.",
        "facility": "Cơ sở lưu trú",
        "facility_hint": "Khách sạn, nhà nghỉ, bệnh viện, ký túc xá, nhà trọ: khai báo và theo dõi khách.",
        "police": "Công an",
        "police_hint": "Cán bộ Công an xã, phường: đọc thông báo lưu trú trong địa bàn.",
        "api": "Tích hợp phần mềm (API)",
        "api_hint": "Phần mềm quản lý khách sạn, bệnh viện: tài liệu API.",
        "other": "English",
    },
    "en": {
        "title": "Accommodation notifications",
        "lead": "Places that lodge people tell the ward or commune police who is staying.",
        "facility": "Facilities",
        "facility_hint": "Hotels, guesthouses, hospitals, dormitories, rooms for rent: register and follow guests.",
        "police": "Police",
        "police_hint": "Ward and commune police officers: read the notifications of your area.",
        "api": "Software integration (API)",
        "api_hint": "Hotel and hospital management software: the API documentation.",
        "other": "Tiếng Việt",
    },
}


@bp.get("/")
def index():
    lang = select_locale()
    other = "en" if lang == "vi" else "vi"
    links = [(url_for("facility.index"), "facility"), (url_for("police.inbox"), "police"),
             (url_for("api.docs"), "api")]
    response = make_response(render_template(
        "landing.html", t=TEXTS[lang], lang=lang, links=links,
        other_url=url_for("i18n.switch_language", code=other, next=request.path), other_lang=other))
    response.headers["Content-Security-Policy"] = PAGES_CSP  # the same policy as the other pages
    return response


def init_app(app):
    app.register_blueprint(bp)
