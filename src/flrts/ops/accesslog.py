"""gunicorn's access log with secrets masked in query strings and referers.

The request line (`%(r)s`) carries the raw URI; a password or key sent in a URL would otherwise
be written to the log as is. Loaded by the gunicorn master (`logger_class` in gunicorn_conf),
so it imports no Django and no model: only the masking helpers of flrts.ops.logs.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from flrts.core.masking import mask_query, mask_text


def masked_uri(uri: str) -> str:
    path, sep, query = uri.partition("?")
    return mask_text(path) + (sep + mask_query(query) if sep else "")


class MaskingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = "{} {} {}".format(
            environ.get("REQUEST_METHOD", "-"),
            masked_uri(str(environ.get("RAW_URI", ""))),
            environ.get("SERVER_PROTOCOL", "-"),
        )
        atoms["q"] = mask_query(str(atoms.get("q") or ""))
        atoms["U"] = mask_text(str(atoms.get("U") or ""))
        atoms["f"] = masked_uri(str(atoms.get("f") or "-"))
        for key in list(atoms):
            if key in ("{cookie}i", "{authorization}i", "{x-frappe-csrf-token}i"):
                atoms[key] = "-"
        return atoms
