import { test, expect, devices } from "@playwright/test";
import path from "node:path";
import { RequestEditor, hydrated, signInAsAdmin, watchForErrors } from "./pages";

const twoPages = path.join(__dirname, "..", "fixtures", "two-pages.pdf");

test("CertEurope: a signer on a phone agrees, gets a one-time code and signs on the page the portal hosts", async ({ page, browser }) => {
  const problems = watchForErrors(page);
  await signInAsAdmin(page);
  const editor = await RequestEditor.create(page, twoPages);
  await page.getByLabel("Signing service").selectOption("certeurope");
  const signers = editor.section("2. Signers");
  await signers.getByRole("button", { name: "+ Add signer" }).click();
  const card = signers.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Signer 1" }) });
  // A certificate holder: first and last name and country, not one name.
  await expect(card.getByLabel("Name", { exact: true })).toBeHidden();
  await editor.type(card, "First name", "Ann");
  await editor.type(card, "Last name", "de Vries");
  await editor.type(card, "Email address", "ann@example.nl");
  await editor.type(card, "Mobile (optional, +31…)", "+31612345678");
  await editor.type(card, "Country (two letters)", "NL");
  // Consent alone is the default; this signer also gets an SMS code.
  const checks = card.locator(".check-list");
  await expect(checks.getByText("Simple: the signer ticks their consent and signs")).toBeVisible();
  await card.getByRole("button", { name: "Remove Simple: the signer ticks their consent and signs" }).click();
  await card.getByLabel("Add a check").selectOption("PhoneNumber");
  await card.getByRole("button", { name: "Add", exact: true }).click();
  await expect(checks.getByText("With an SMS code: consent, then a one-time code to their mobile")).toBeVisible();
  await expect(checks.getByRole("listitem")).toHaveCount(1);
  await expect(signers.getByText("All changes saved")).toBeVisible();
  const details = editor.section("4. Details");
  await editor.type(details, "Title", "Lease via CertEurope");
  await details.getByLabel("Language of emails and receipt").selectOption("en-US");
  await details.getByLabel("Direct: the portal gives you the signing links").check();
  await expect(details.getByText("All changes saved")).toBeVisible();
  await expect(page.locator('.pdf-page canvas[data-page="1"][data-rendered="true"]')).toBeAttached({ timeout: 20_000 });
  // SignAPI places signatures only: the palette offers nothing else.
  await expect(editor.fields().getByRole("toolbar", { name: "Field types" }).getByRole("button")).toHaveText(["Signature"]);
  await editor.dragField("Signature", "1. Ann de Vries", 120, 420);
  await expect(editor.fields().getByText("All changes saved")).toBeVisible();
  await expect(editor.section("5. Send").getByText("Everything is ready to send.")).toBeVisible();
  await page.getByRole("region", { name: "Sending" }).getByRole("button", { name: "Send for signing" }).click();
  await expect(page.getByRole("heading", { name: "Waiting for signers" })).toBeVisible({ timeout: 30_000 });
  const requestPage = page.url();
  const link = await page.getByRole("region", { name: "Waiting for signers" })
    .getByLabel("Signing link for 1. Ann de Vries").inputValue();

  // The signer, on a phone.
  const phone = await browser.newContext({ ...devices["Pixel 7"] });
  const signer = await phone.newPage();
  const signerProblems = watchForErrors(signer);
  await signer.goto(link);
  await expect(signer.getByRole("heading", { name: "Lease via CertEurope" })).toBeVisible();
  await expect(signer.getByText("Ann de Vries", { exact: true })).toBeVisible();
  await expect(signer.locator("canvas[data-pdf]").first()).toHaveAttribute("data-rendered", "true");
  // Nothing sticks out sideways on a narrow screen.
  const overflow = await signer.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  // No code without consent: the browser itself asks for the box first.
  const agree = signer.getByRole("button", { name: "Agree and send me a code" });
  await agree.click();
  await expect(signer).toHaveURL(link);
  await signer.getByRole("checkbox", { name: /I have read the documents above/ }).check();
  await agree.click();
  await expect(signer.getByText("We sent a one-time code by text message to")).toBeVisible();
  await expect(signer.getByText("+31••••••678")).toBeVisible();

  // The code arrives in the sandbox's mailbox (the SMS stand-in).
  await page.goto("/sandbox/mail");
  const mail = page.locator("li").filter({ hasText: "+31612345678" }).first();
  const code = ((await mail.locator("code").first().textContent()) ?? "").trim();
  expect(code).toMatch(/^\d{6}$/);

  const input = signer.getByLabel("One-time code");
  await input.fill(code === "000000" ? "111111" : "000000");
  await signer.getByRole("button", { name: "Sign", exact: true }).click();
  await expect(signer.getByRole("alert")).toHaveText("That code is not right: 2 tries left.");
  await signer.getByLabel("One-time code").fill(code);
  await signer.getByRole("button", { name: "Sign", exact: true }).click();
  await expect(signer.getByRole("heading", { name: "Signed" })).toBeVisible({ timeout: 30_000 });
  await signer.screenshot({ path: "test-results/certeurope-phone-signed.png" });
  expect(signerProblems).toEqual([]);
  await phone.close();

  await page.goto(requestPage);
  await hydrated(page);
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByText("Signed and archived", { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  await expect(progress.getByRole("link", { name: "consent-receipt.pdf" })).toBeVisible();
  expect(problems).toEqual([]);
});
