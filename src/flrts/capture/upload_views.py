"""The chat page's photo upload: a multipart POST of one or more files and a caption, handled
like a Telegram photo (flrts.capture.media)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from flrts.capture import dispatch
from flrts.capture.media import Incoming, receive, said
from flrts.capture.views import conversation_of
from flrts.core.attachments import UploadRefused, check_size
from flrts.core.permissions import role_of

MAX_FILES = 10  # Telegram's album limit
MAX_CAPTION = 4096


@require_POST
def chat_upload(request: HttpRequest) -> JsonResponse:
    if role_of(request.user) is None:
        return JsonResponse({"error": "Log in to the desk first."}, status=403)
    uploads = request.FILES.getlist("file")
    caption = request.POST.get("caption", "")
    if not uploads:
        return JsonResponse({"error": "Choose a photo or file to send (field 'file')."}, status=400)
    if len(uploads) > MAX_FILES:
        return JsonResponse({"error": f"Send at most {MAX_FILES} files at once."}, status=400)
    if len(caption) > MAX_CAPTION:
        return JsonResponse({"error": f"The caption is over {MAX_CAPTION} characters."}, status=400)
    try:
        for upload in uploads:  # before reading any of them into memory
            check_size(upload.size or 0, upload.name or "")
        files = [
            Incoming(upload.name or "file", upload.read(), upload.content_type or "")
            for upload in uploads
        ]
        conv = conversation_of(request)
        received = receive(conv, files, caption)
    except UploadRefused as exc:
        return JsonResponse({"error": f"{exc} Nothing was saved."}, status=exc.status)
    # Kept in the stored conversation like typed text, so "yes" binds to the card it shows.
    replies = dispatch.record(conv, said(caption, len(files)), received.replies)
    return JsonResponse({"replies": [r.as_dict() for r in replies]})
