"""The facility page "Reminders" (/facility/reminders): each user chooses which reminders they
get, in which language and by which channel (docs/REMINDERS.md). Flask-WTF, CSRF checked."""
from flask import current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from ..extensions import db
from ..models import ReminderSettings
from ..reminders.channels import configured_channels
from ..reminders.service import DEFAULTS
from ..timeutil import utcnow
from .views import bp, login_required

CHANNEL_LABELS = {"email": _l("E-mail"), "http": _l("Text message (SMS / Zalo)")}


class ReminderForm(FlaskForm):
    problems = BooleanField(_l("A notification was rejected or could not be delivered"))
    deadline = BooleanField(_l("A deadline is close and guests are not yet notified"))
    digest = BooleanField(_l("Every morning: yesterday's summary"))
    language = SelectField(_l("Language of reminders"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")])
    channel = RadioField(_l("Send reminders by"), choices=[SelectChoice("email", "email")])
    phone = StringField(_l("Phone number for text messages"), validators=[
        Optional(), Length(max=20, message=_l("At most 20 characters.")),
        Regexp(r"^\+?[0-9 ]{6,19}$", message=_l("Digits only, e.g. 0901234567 or +84901234567."))])


def _channel_choices():
    return [SelectChoice(name, CHANNEL_LABELS.get(name, name)) for name in configured_channels(current_app.config)] \
        or [SelectChoice("email", CHANNEL_LABELS["email"])]


@bp.route("/reminders", methods=["GET", "POST"])
@login_required
def reminders():
    row = db.session.get(ReminderSettings, g.user.id)
    form = ReminderForm()
    form.channel.choices = _channel_choices()
    if not form.is_submitted():
        values = {k: getattr(row, k) for k in ("problems", "deadline", "digest", "language", "channel", "phone")} \
            if row else {**DEFAULTS, "language": current_app.config.get("DEFAULT_LANGUAGE", "vi"), "channel": "email"}
        form.process(data=values)
    elif form.validate():
        if form.channel.data == "http" and not (form.phone.data or "").strip():
            form.phone.errors = [_l("Give a phone number for text messages.")]
        else:
            if row is None:
                row = ReminderSettings(user_id=g.user.id)
                db.session.add(row)
            row.problems, row.deadline, row.digest = form.problems.data, form.deadline.data, form.digest.data
            row.language, row.channel = form.language.data, form.channel.data
            row.phone = (form.phone.data or "").strip() or None
            row.updated_at = utcnow()
            db.session.commit()
            flash(gettext("Reminder settings saved."), "success")
            return redirect(url_for("facility.reminders"))
    errors = {name: [str(e) for e in field.errors] for name, field in form._fields.items() if field.errors}
    languages = {c.value: c.label for c in form.language.choices}
    return render_template("facility/reminders.html", form=form, errors=errors, languages=languages,
                           channels_on=bool(configured_channels(current_app.config))), 400 if errors else 200
