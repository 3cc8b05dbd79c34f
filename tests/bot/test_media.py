"""Photos, documents, albums and locations through the real webhook, with the files served by
the fake Bot API (getFile, then /file/bot<token>/<path>)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from flrts.capture.attached import HOLD, PROPOSAL
from flrts.capture.models import Proposal, ProposalState
from flrts.core.activity import AttachedFile
from flrts.core.docstatus import DocStatus
from flrts.fieldreports.models import FieldReport
from flrts.org.models import Site
from flrts.tasks.models import Task
from tests.fakes import telegram_updates as tu

pytestmark = pytest.mark.django_db(transaction=True)

CAPTION = "Iron Creek pump 2 seal leaking, pressure 41 psi"


def jpeg(seed: int = 0) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (64, 48), (seed * 40 % 256, 120, 200))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def iron_creek(team: Any) -> Site:
    site = Site(site_name="Iron Creek", site_code="IC", latitude=45.7833, longitude=-108.5007)
    site.save()
    Site.objects.filter(site_name="Big Sky").update(latitude=45.2847, longitude=-111.3683)
    return site


def files_on(record: Any) -> list[AttachedFile]:
    return list(
        AttachedFile.objects.filter(
            attached_to_doctype=record.doctype, attached_to_name=record.name
        ).order_by("id")
    )


def content(attached: AttachedFile) -> bytes:
    with attached.file.open("rb") as handle:
        return handle.read()


def send_photo(bot: Any, tg: int, file_id: str, caption: str | None = None, **kw: Any) -> bytes:
    data = jpeg(len(file_id))
    bot.fake.add_file(file_id, data, f"photos/{file_id}.jpg")
    assert bot.send(tu.photo_message(tg, file_id, caption, file_size=len(data), **kw)) == 200
    return data


def test_a_captioned_photo_is_a_field_report_with_the_photo(bot: Any, iron_creek: Site) -> None:
    data = send_photo(bot, 1002, "ph-1", CAPTION)
    card = bot.last_card(1002)
    assert card["text"].startswith("📋 New field report")
    assert "📎 1 photo" in card["text"]
    assert "Issues:" in card["text"] and "seal leaking" in card["text"]
    assert "41 psi" in card["text"]
    # The largest size is the one fetched, through getFile and the file URL.
    [get_file] = bot.fake.calls("getFile")
    assert get_file.params["file_id"] == "ph-1"
    assert [c.params["file_path"] for c in bot.fake.calls("file")] == ["photos/ph-1.jpg"]
    bot.confirm_last_card(1002)
    report = FieldReport.objects.get()
    assert report.docstatus == DocStatus.SUBMITTED and report.status == "Submitted"
    assert report.site == iron_creek
    assert "seal leaking" in report.issues_found
    [reading] = report.readings.all()
    assert (reading.value, reading.unit) == (41.0, "psi")
    [photo] = files_on(report)
    assert photo.is_image and content(photo) == data
    assert "📎 1 photo attached" in bot.last_text(1002)
    assert not AttachedFile.objects.filter(attached_to_doctype=PROPOSAL).exists()


def test_save_as_draft_keeps_the_report_a_draft(bot: Any, iron_creek: Site) -> None:
    send_photo(bot, 1002, "ph-d", CAPTION)
    card = bot.last_card(1002)
    bot.press(1002, bot.button(card, "cap:draft:"), card["message_id"])
    report = FieldReport.objects.get()
    assert report.docstatus == DocStatus.DRAFT and report.status == "Draft"
    assert len(files_on(report)) == 1
    assert "saved as a draft" in bot.last_text(1002)


def test_a_captioned_photo_can_be_a_task(bot: Any, iron_creek: Site) -> None:
    send_photo(bot, 1001, "ph-t", "Colin replace the seal on pump 2 at Iron Creek tomorrow")
    card = bot.last_card(1001)
    assert card["text"].startswith("📝 New task") and "📎 1 photo" in card["text"]
    bot.confirm_last_card(1001)
    task = Task.objects.get()
    assert len(files_on(task)) == 1


def test_a_photo_without_caption_joins_the_pending_card(bot: Any, iron_creek: Site) -> None:
    bot.say(1002, CAPTION)
    first = bot.last_card(1002)
    assert "📎" not in first["text"]
    send_photo(bot, 1002, "ph-2")
    card = bot.last_card(1002)
    assert card["message_id"] != first["message_id"] and "📎 1 photo" in card["text"]
    bot.confirm_last_card(1002)
    assert len(files_on(FieldReport.objects.get())) == 1


def test_a_photo_without_caption_joins_the_report_of_the_last_hour(
    bot: Any, iron_creek: Site
) -> None:
    bot.say(1002, CAPTION)
    bot.confirm_last_card(1002)
    report = FieldReport.objects.get()
    send_photo(bot, 1002, "ph-3")
    assert bot.last_text(1002).startswith(f"📎 Attached 1 photo to {report.name}")
    assert len(files_on(report)) == 1
    # An hour later a photo is not assumed to belong to it.
    FieldReport.objects.filter(pk=report.pk).update(
        creation=timezone.now() - dt.timedelta(minutes=61)
    )
    send_photo(bot, 1002, "ph-4")
    assert bot.last_text(1002).startswith("📎 Attach to which?")
    assert len(files_on(report)) == 1


def test_attach_to_which_offers_records_and_attaches_on_press(bot: Any, team: Any) -> None:
    task = Task(subject="Check the compressor", assigned_to=team.colin)
    task.save()
    send_photo(bot, 1002, "ph-5")
    question = bot.last(1002)
    assert question["text"].startswith("📎 Attach to which? I kept 1 photo.")
    assert AttachedFile.objects.get().attached_to_doctype == HOLD
    data = bot.button(question, "att:t:")
    assert data == f"att:t:{task.pk}"
    bot.press(1002, data, question["message_id"])
    assert len(files_on(task)) == 1
    assert bot.last_text(1002).startswith(f"📎 Attached 1 photo to {task.name}")
    # The same button again: nothing is waiting any more.
    bot.press(1002, data, question["message_id"])
    assert "Nothing is waiting" in bot.last_text(1002)


def test_attach_to_which_discard_deletes_the_held_file(bot: Any, team: Any) -> None:
    send_photo(bot, 1002, "ph-6")
    question = bot.last(1002)
    stored = AttachedFile.objects.get()
    storage, path = stored.file.storage, stored.file.name
    bot.press(1002, bot.button(question, "att:x"), question["message_id"])
    assert not AttachedFile.objects.exists()
    assert not storage.exists(path)
    assert bot.last_text(1002) == "🗑 Discarded."


def test_an_album_is_one_capture_with_one_card(bot: Any, iron_creek: Site) -> None:
    send_photo(bot, 1002, "al-1", CAPTION, media_group_id="album-9")
    card = bot.last_card(1002)
    sent_before = len(bot.fake.sent_messages(1002))
    send_photo(bot, 1002, "al-2", media_group_id="album-9")
    send_photo(bot, 1002, "al-3", media_group_id="album-9")
    # No new message for the later items: the card shown was edited to count them.
    assert len(bot.fake.sent_messages(1002)) == sent_before
    edited = bot.fake.message(1002, card["message_id"])
    assert "📎 3 photos" in edited["text"]
    assert Proposal.objects.count() == 1
    bot.confirm_last_card(1002)
    assert len(files_on(FieldReport.objects.get())) == 3


def test_an_oversize_photo_is_refused_and_nothing_is_written(
    bot: Any, iron_creek: Site, settings: Any
) -> None:
    settings.SITE.config["max_file_size"] = 2048
    big = b"\xff\xd8\xff" + b"x" * 5000
    bot.fake.add_file("big-1", big, "photos/big-1.jpg")
    bot.send(tu.photo_message(1002, "big-1", CAPTION, file_size=len(big)))
    text = bot.last_text(1002)
    assert "the limit is 2 KB" in text and "Nothing was saved" in text
    assert not AttachedFile.objects.exists() and not Proposal.objects.exists()
    assert bot.fake.calls("file") == []  # refused on the announced size, before downloading


def test_a_file_bigger_than_announced_is_refused_while_downloading(
    bot: Any, iron_creek: Site, settings: Any
) -> None:
    settings.SITE.config["max_file_size"] = 2048
    big = b"\xff\xd8\xff" + b"x" * 5000
    bot.fake.add_file("big-2", big, "photos/big-2.jpg")
    # A message that does not say how big the file is: the download stops at the limit.
    update = tu.photo_message(1002, "big-2", CAPTION)
    for size in update["message"]["photo"]:
        size.pop("file_size")
    bot.send(update)
    assert "Nothing was saved" in bot.last_text(1002)
    assert not AttachedFile.objects.exists() and not Proposal.objects.exists()


def test_a_document_is_attached_like_a_photo(bot: Any, iron_creek: Site) -> None:
    pdf = b"%PDF-1.4\n" + b"0" * 300
    bot.fake.add_file("doc-1", pdf, "documents/file_1.pdf")
    bot.send(tu.document_message(1002, "doc-1", "seal-spec.pdf", caption=CAPTION))
    card = bot.last_card(1002)
    assert "📎 1 file" in card["text"]
    bot.confirm_last_card(1002)
    [doc] = files_on(FieldReport.objects.get())
    assert doc.file_name == "seal-spec.pdf" and not doc.is_image
    assert content(doc) == pdf


def test_a_location_sets_the_nearest_site_on_the_card(bot: Any, iron_creek: Site) -> None:
    bot.say(1002, "Field report: pump 2 seal leaking, pressure 41 psi")
    assert "Site: —" in bot.last_card(1002)["text"]
    bot.send(tu.location_message(1002, 45.7840, -108.5010))  # about 80 m from the site
    card = bot.last_card(1002)
    assert card["text"].startswith("📍 Iron Creek (")
    assert "Site: Iron Creek ✨" in card["text"]
    bot.confirm_last_card(1002)
    assert FieldReport.objects.get().site == iron_creek


def test_a_venue_counts_as_a_location(bot: Any, iron_creek: Site) -> None:
    bot.say(1002, "Field report: pump 2 seal leaking")
    bot.send(tu.venue_message(1002, 45.7836, -108.5001, "Iron Creek pump house"))
    assert "Site: Iron Creek ✨" in bot.last_card(1002)["text"]


def test_a_location_far_from_every_site_asks_which(bot: Any, iron_creek: Site) -> None:
    bot.say(1002, "Field report: pump 2 seal leaking")
    bot.send(tu.location_message(1002, 45.90, -108.50))  # about 13 km north of Iron Creek
    question = bot.last(1002)
    assert question["text"].startswith("📍 No active site within 2 km of that location.")
    buttons = [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[0].startswith("Iron Creek (") and buttons[1].startswith("Big Sky (")
    bot.press(1002, bot.button(question, f"loc:{iron_creek.pk}:"), question["message_id"])
    assert "Site: Iron Creek ✨" in bot.last_card(1002)["text"]


def test_the_radius_is_a_config_key(bot: Any, iron_creek: Site, settings: Any) -> None:
    settings.SITE.config["site_radius_km"] = 20
    bot.say(1002, "Field report: pump 2 seal leaking")
    bot.send(tu.location_message(1002, 45.90, -108.50))
    assert "Site: Iron Creek ✨" in bot.last_card(1002)["text"]


def test_an_inactive_site_is_never_picked(bot: Any, iron_creek: Site) -> None:
    Site.objects.filter(pk=iron_creek.pk).update(is_active=False)
    bot.say(1002, "Field report: pump 2 seal leaking")
    bot.send(tu.location_message(1002, 45.7840, -108.5010))
    assert "No active site within 2 km" in bot.last_text(1002)


def test_a_location_with_nothing_pending_says_where_you_are(bot: Any, iron_creek: Site) -> None:
    bot.send(tu.location_message(1002, 45.7840, -108.5010))
    assert bot.last_text(1002).startswith("📍 You are at Iron Creek (")
    assert not Proposal.objects.filter(state=ProposalState.PENDING).exists()


def test_a_failed_download_says_so_and_keeps_nothing(bot: Any, iron_creek: Site) -> None:
    bot.send(tu.photo_message(1002, "never-registered", CAPTION))  # getFile answers 400
    assert bot.last_text(1002).startswith("📎 I couldn't download that file from Telegram.")
    assert not AttachedFile.objects.exists() and not Proposal.objects.exists()


def test_attach_to_which_lists_an_older_report(bot: Any, iron_creek: Site) -> None:
    bot.say(1002, CAPTION)
    bot.confirm_last_card(1002)
    report = FieldReport.objects.get()
    FieldReport.objects.filter(pk=report.pk).update(creation=timezone.now() - dt.timedelta(hours=3))
    send_photo(bot, 1002, "ph-7")
    question = bot.last(1002)
    bot.press(1002, bot.button(question, f"att:r:{report.pk}"), question["message_id"])
    assert len(files_on(report)) == 1


def test_someone_elses_record_cannot_be_picked(bot: Any, iron_creek: Site, team: Any) -> None:
    task = Task(subject="Joel's own task", assigned_to=team.joel)
    task.save()
    send_photo(bot, 1002, "ph-8")
    question = bot.last(1002)
    bot.press(1002, f"att:t:{task.pk}", question["message_id"])  # a forged button
    answer = bot.fake.callback_answers()[-1]
    assert answer["text"] == "You can't attach files to that record."
    assert AttachedFile.objects.get().attached_to_doctype == HOLD


def test_a_kept_file_is_offered_for_an_hour(bot: Any, team: Any) -> None:
    task = Task(subject="Check the compressor", assigned_to=team.colin)
    task.save()
    send_photo(bot, 1002, "ph-9")
    question = bot.last(1002)
    AttachedFile.objects.update(creation=timezone.now() - dt.timedelta(minutes=61))
    bot.press(1002, bot.button(question, "att:t:"), question["message_id"])
    assert bot.last_text(1002).startswith("Nothing is waiting to be attached")
    assert files_on(task) == []


def test_the_desk_shows_coordinates_and_the_readings(bot: Any, iron_creek: Site, team: Any) -> None:
    from django.test import Client

    bot.say(1002, CAPTION)
    bot.confirm_last_card(1002)
    report = FieldReport.objects.get()
    desk = Client()
    desk.force_login(team.joel)  # a supervisor, who did not write the report
    page = desk.get(f"/desk/fieldreports/fieldreport/{report.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="readings-group"' in html and "pressure" in html and "psi" in html
    site_form = desk.get(f"/desk/org/site/{iron_creek.pk}/change/").content.decode()
    assert "Latitude" in site_form and "Longitude" in site_form


def test_cancelling_a_card_deletes_its_files(bot: Any, iron_creek: Site) -> None:
    send_photo(bot, 1002, "ph-c", CAPTION)
    stored = AttachedFile.objects.get()
    storage, path = stored.file.storage, stored.file.name
    card = bot.last_card(1002)
    bot.press(1002, bot.button(card, "cap:no:"), card["message_id"])
    assert not AttachedFile.objects.exists() and not storage.exists(path)


def test_the_sweep_removes_files_of_expired_cards_and_old_holds(bot: Any, iron_creek: Site) -> None:
    from flrts.capture.drafts import expire_stale

    send_photo(bot, 1002, "ph-e", CAPTION)
    Proposal.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    send_photo(bot, 1001, "ph-h")  # Joel: nothing recent, so it is kept and he is asked
    held = AttachedFile.objects.get(attached_to_doctype=HOLD)
    expire_stale()
    assert list(AttachedFile.objects.all()) == [held]  # a kept file stays a day
    AttachedFile.objects.update(creation=timezone.now() - dt.timedelta(days=1, minutes=1))
    expire_stale()
    assert not AttachedFile.objects.exists()


def test_a_viewer_cannot_leave_files(bot: Any, iron_creek: Site) -> None:
    send_photo(bot, 1005, "ph-v", CAPTION)
    assert bot.last_text(1005).startswith("⛔ Your role may read but not add")
    assert not AttachedFile.objects.exists() and not Proposal.objects.exists()
    assert bot.fake.calls("getFile") == []  # refused before downloading


def test_haversine_distance() -> None:
    from flrts.org.geo import haversine_km

    # London to Paris, about 343.5 km along the great circle.
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=1)
    assert haversine_km(45.0, -108.0, 45.0, -108.0) == 0
