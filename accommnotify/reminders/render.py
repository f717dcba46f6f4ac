"""A reminder's words, in the user's language (Flask-Babel, the facility catalog domain).

What a reminder carries (docs/REMINDERS.md, "Personal data"): the facility's name, counts, room
numbers, times and a link to the pages. Never a guest's name, ID or passport number, date of
birth or nationality: whoever reads the phone's lock screen or the mail server's log learns which
rooms need attention, not who is in them.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import Domain, force_locale

from ..i18n import TRANSLATIONS
from ..timeutil import to_vn

domain = Domain(translation_directories=[str(TRANSLATIONS)], domain="facility")
_ = domain.gettext
ngettext = domain.ngettext
MAX_ROOMS = 10  # listed; more are counted


def _when(value: datetime) -> str:
    return to_vn(value).strftime("%H:%M %d/%m/%Y")


def _rooms(rooms: list[str]) -> str | None:
    rooms = sorted({r for r in rooms if r})
    if not rooms:
        return None
    shown = ", ".join(rooms[:MAX_ROOMS])
    if len(rooms) > MAX_ROOMS:
        shown += " " + _("and %(num)s more", num=len(rooms) - MAX_ROOMS)
    return _("Rooms: %(rooms)s", rooms=shown)


def _finish(lines: list[str], facility_name: str, link: str | None) -> str:
    body = [facility_name, ""] + [x for x in lines if x]
    if link:
        body += ["", _("Open the pages: %(link)s", link=link)]
    body += ["", _("This message is automatic. Change which reminders you get on the Reminders page.")]
    return "\n".join(body) + "\n"


def problems(lang: str, facility_name: str, *, rejected: int, dead: int, rooms: list[str],
             link: str | None) -> tuple[str, str]:
    with force_locale(lang):
        n = rejected + dead
        subject = ngettext("%(num)s notification needs your attention", "%(num)s notifications need your attention", n)
        lines = [
            ngettext("%(num)s notification was rejected by the police.",
                     "%(num)s notifications were rejected by the police.", rejected) if rejected else "",
            ngettext("%(num)s notification could not be delivered.",
                     "%(num)s notifications could not be delivered.", dead) if dead else "",
            _rooms(rooms) or "",
            _("Correct the details and send again, or declare these guests another way."),
        ]
        return subject, _finish(lines, facility_name, link)


def deadline(lang: str, facility_name: str, *, notifications: int, files: int, earliest: datetime,
             rooms: list[str], link: str | None) -> tuple[str, str]:
    with force_locale(lang):
        when = _when(earliest)
        subject = _("Deadline at %(when)s: guests not yet notified", when=when)
        lines = [
            ngettext("%(num)s notification is not delivered yet.",
                     "%(num)s notifications are not delivered yet.", notifications) if notifications else "",
            ngettext("%(num)s portal file is not uploaded yet.",
                     "%(num)s portal files are not uploaded yet.", files) if files else "",
            _("The first deadline is %(when)s.", when=when),
            _rooms(rooms) or "",
        ]
        return subject, _finish(lines, facility_name, link)


def digest(lang: str, facility_name: str, *, day: date, declared: int, late: int, still_open: int,
           link: str | None) -> tuple[str, str]:
    with force_locale(lang):
        shown = day.strftime("%d/%m/%Y")
        subject = _("Summary of %(day)s", day=shown)
        lines = [
            _("Yesterday, %(day)s:", day=shown),
            _("Declared: %(num)s", num=declared),
            _("Late: %(num)s", num=late),
            _("Still open now: %(num)s", num=still_open),
        ]
        return subject, _finish(lines, facility_name, link)


def ping(lang: str, facility_name: str, link: str | None) -> tuple[str, str]:
    with force_locale(lang):
        return (_("Test reminder"),
                _finish([_("Reminders reach you here.")], facility_name, link))
