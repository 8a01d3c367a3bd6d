"""A third-party Signhost client (signhost-api-python-client from PyPI), used
unmodified against the portal's sandbox: create, upload, start, sign, download
the signed file and receipt, and cancel."""

import io
import os
import sys

import httpx
from signhost import models
from signhost.client import DefaultClient

BASE = sys.argv[1].rstrip("/")
# The installation's sandbox keys (`server sandbox-keys` prints them).
api = DefaultClient(
    api_key=os.environ["SIGNHOST_USER_TOKEN"],
    app_key=os.environ["SIGNHOST_APP_KEY"],
    base_url=f"{BASE}/sandbox/api/",
)
results = []


def check(name, condition):
    results.append(condition)
    print(("ok   " if condition else "FAIL ") + name)


def status(t):
    return t.Status.value if t.Status is not None else None


PDF = open(sys.argv[2], "rb").read()

tx = api.transaction_init(models.Transaction(
    Reference="PY-1",
    Signers=[models.Signer(Email="py@example.nl", SendSignRequest=False, ReturnUrl=f"{BASE}/healthz")],
))
check("create answers status 5 with a generated signer id", status(tx) == 5 and tx.Signers[0].Id == "Signer1")
check("upload with the client's own Digest header", api.transaction_file_put(tx.Id, "contract.pdf", io.BytesIO(PDF)))
check("start answers 204", api.transaction_start(tx.Id))
check("started transaction waits for the signer", status(api.transaction_get(tx.Id)) == 10)

sign_url = tx.Signers[0].SignUrl
with httpx.Client() as browser:
    check("the signing page opens", browser.get(sign_url).status_code == 200)
    # As a browser does, the form post says which site it comes from.
    res = browser.post(sign_url + "/sign", headers={"Origin": BASE})
    check("signing redirects to the return URL", res.status_code == 303 and "sh_signerstatus=signed" in res.headers["location"])

done = api.transaction_get(tx.Id)
check("the transaction is signed", status(done) == 30)
signed = api.transaction_file_get(tx.Id, "contract.pdf")
check("the signed file is a changed PDF", signed.startswith(b"%PDF") and signed != PDF)
check("the receipt is a PDF", api.receipt_get(tx.Id).startswith(b"%PDF"))

other = api.transaction_init(models.Transaction(Signers=[models.Signer(Email="x@example.nl", SendSignRequest=False)]))
cancelled = api.transaction_cancel(other.Id, send_notifications=False, reason="")
check("cancel answers status 60", status(cancelled) == 60)

passed = sum(1 for r in results if r)
print(f"{passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) else 1)
