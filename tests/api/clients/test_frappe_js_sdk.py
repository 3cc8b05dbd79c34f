"""frappe-js-sdk 1.14.1 (npm), unmodified, against a live FLRTS: every public method.

`js/run.cjs` calls each method of FrappeAuth, FrappeDB, FrappeFileUpload and FrappeCall with
token auth (Node has no cookie jar, so a session login cannot carry over to the next call) and
prints what each returned or threw; this test says what each must be. Needs Node and
`npm ci --prefix tests/api/clients/js` (CI does both); skipped without them outside CI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from flrts.fieldreports.models import Attachment, FieldReport
from flrts.tasks.models import Task

from .conftest import require

pytestmark = pytest.mark.django_db(transaction=True)

JS = Path(__file__).parent / "js"


def run_sdk(*args: str) -> Any:
    node = shutil.which("node")
    require(node is not None, "Node is not installed (CI installs Debian's nodejs)")
    require(
        (JS / "node_modules" / "frappe-js-sdk").is_dir(),
        "frappe-js-sdk is not installed: npm ci --prefix tests/api/clients/js",
    )
    assert node is not None
    done = subprocess.run(
        [node, str(JS / "run.cjs"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_frappe_js_sdk_method(live_server: Any, people: Any, data: Any, keys: Any) -> None:
    key, secret = keys["admin"]  # settings (a Single DocType) are read by Admins only
    url = live_server.url
    password = "pw-admin@example.com"
    out = run_sdk(url, key, secret, "Administrator", password, "North Yard", "sup@example.com")

    def ok(step: str) -> Any:
        assert out[step]["ok"], (step, out[step])
        return out[step]["value"]

    def failed(step: str, status: int, exc_type: str) -> dict[str, Any]:
        error = out[step]
        assert not error["ok"], (step, error)
        assert error["error"]["httpStatus"] == status, (step, error)
        assert error["error"]["exc_type"] == exc_type, (step, error)
        return dict(error["error"])

    # FrappeAuth
    assert ok("auth.loginWithUsernamePassword")["message"] == "Logged In"
    failed("auth.loginWithUsernamePassword.wrong", 401, "AuthenticationError")
    assert ok("auth.getLoggedInUser") == "Administrator"
    ok("auth.forgetPassword")
    resets = [m for m in mail.outbox if "/desk/password-reset/" in m.body]
    assert [m.to for m in resets] == [["sup@example.com"]]
    assert ok("auth.logout") is None

    # FrappeDB
    created = ok("db.createDoc")
    assert (created["subject"], created["priority"], created["site"]) == (
        "From the JS SDK",
        "High",
        "North Yard",
    )
    name = created["name"]
    failed("db.createDoc.missingMandatory", 417, "MandatoryError")
    assert ok("db.getDoc")["name"] == name
    failed("db.getDoc.missing", 404, "DoesNotExistError")
    listed = ok("db.getDocList")
    assert listed == [{"name": name, "subject": "From the JS SDK", "priority": "High"}]
    groups = {row["priority"]: row["total"] for row in ok("db.getDocList.groupBy")}
    assert (groups["High"], groups["Low"]) == (3, 2)  # data's two High and this one, at the time
    assert ok("db.getDocList.asList") == [[name]]
    assert len(ok("db.getDocList.noArgs")) == 8  # data's seven tasks and this one
    assert ok("db.getCount") == 3  # data's two High tasks and this one
    assert ok("db.getCount.all") == 8
    assert ok("db.getLastDoc")["name"] != ""
    assert ok("db.updateDoc")["priority"] == "Urgent"
    assert ok("db.getValue") == {"message": {"priority": "Urgent"}}
    assert ok("db.getValue.many") == {
        "message": {"subject": "From the JS SDK", "priority": "Urgent"}
    }
    assert ok("db.setValue")["message"]["status"] == "Working"
    both = ok("db.setValue.object")["message"]
    assert (both["status"], both["priority"]) == ("Open", "Low")
    assert ok("db.getSingleValue") == {"message": 10.0}
    assert ok("db.renameDoc") == {"message": f"{name}-JS"}

    report = ok("db.createDoc.report")
    assert ok("db.submit")["docstatus"] == 1
    failed("db.updateDoc.afterSubmit", 417, "UpdateAfterSubmitError")
    assert ok("db.cancel")["message"]["docstatus"] == 2
    assert FieldReport.objects.get(name=report["name"]).status == "Cancelled"

    uploaded = ok("file.uploadFile")["message"]
    assert (uploaded["attached_to_name"], uploaded["file_name"]) == (report["name"], "photo.jpg")
    with Attachment.objects.get(report__name=report["name"]).file.open("rb") as stored:
        assert stored.read() == b"photo bytes"

    # FrappeCall
    assert ok("call.get")["message"] == 8
    assert len(ok("call.post")["message"]) == 1
    assert ok("call.put")["message"]["priority"] == "Medium"
    assert ok("call.delete") == {}
    assert not Task.objects.filter(name=f"{name}-JS", archived=False).exists()
    assert ok("db.deleteDoc") == {"data": "ok"}
    failed("call.get.unknownMethod", 404, "DoesNotExistError")
