import { test, expect } from "@playwright/test";
import { RequestEditor, hydrated, signInAsAdmin, watchForErrors } from "./pages";

const lease = [
  "#Lease agreement#",
  "",
  "The tenant rents the flat at **Main Street 1** from the landlord.",
  "",
  "Tenant: {1/Tenant name*/Text}",
  "",
  "{1/Tenant signature*/Signature}",
  "{2/Landlord signature*/Signature}",
].join("\n");

test("Hotsign: an admin connects the account, staff write a markdown lease for two signers, it ends signed and archived", async ({ page, browser }) => {
  const problems = watchForErrors(page);
  await signInAsAdmin(page);

  // The admin connects the organisation's Hotsign account (here: the simulator's).
  await page.goto("/staff");
  await hydrated(page);
  const card = page.getByRole("region", { name: /Hotsign/ });
  await expect(card.getByText("experimental")).toBeVisible();
  await card.getByRole("link", { name: /Connect Hotsign|Reconnect Hotsign/ }).click();
  await expect(page.getByRole("heading", { name: "Allow the signing portal to use your Hotsign account?" })).toBeVisible();
  await page.getByRole("button", { name: "Allow", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Hotsign connected" })).toBeVisible();
  await page.goto("/staff");
  await expect(page.getByRole("region", { name: /Hotsign/ }).getByText(/Connected as office@sandbox-hotsign\.test/)).toBeVisible();

  // Staff write the document in the portal: Hotsign takes markup, not PDFs.
  const editor = await RequestEditor.create(page);
  await page.getByLabel("Signing service").selectOption("hotsign");
  const docs = editor.section("1. Documents");
  await expect(docs.getByRole("heading", { name: "Write the document" })).toBeVisible();
  await expect(docs.getByText("Drag PDF files here")).toBeHidden();
  const text = docs.getByLabel("Text", { exact: true });
  // A mistake is shown on its line, and such a document is not saved.
  await text.fill("#Lease#\n\n{7/Name/Text}");
  await expect(docs.getByText("Line 3:")).toBeVisible();
  await docs.getByRole("button", { name: "Save document" }).click();
  await expect(docs.getByRole("alert")).toContainText("Not saved: line 3");
  await text.fill(lease);
  const preview = docs.locator(".written-preview");
  await expect(preview.getByRole("heading", { name: "Lease agreement" })).toBeVisible();
  await expect(preview.getByText("Tenant signature * · signer 1 · signature")).toBeVisible();
  await expect(preview.getByText("Landlord signature * · signer 2 · signature")).toBeVisible();
  await expect(docs.getByText("3 fields for 2 signers: signer 1, signer 2.")).toBeVisible();
  await expect(docs.getByText("The service will take this document.")).toBeVisible();
  await docs.getByLabel("Name", { exact: true }).fill("Lease Main Street");
  await docs.getByRole("button", { name: "Save document" }).click();
  await expect(docs.getByText("Saved", { exact: true })).toBeVisible();
  await expect(docs.getByLabel("Name of the document")).toHaveValue("Lease Main Street.md");
  await expect(docs.getByText("Markdown · 3 fields")).toBeVisible();

  await editor.addSigner(1, "Ann de Vries", "ann@example.nl");
  await editor.addSigner(2, "Bob Jansen", "bob@example.nl");
  const signers = editor.section("2. Signers");
  for (const n of [1, 2]) {
    const signer = signers.getByRole("listitem").filter({ has: page.getByRole("heading", { name: `Signer ${n}` }) });
    await editor.type(signer, "Message in the invitation (required for the invite flow)", "Please sign the lease.");
  }
  await expect(signers.getByText("All changes saved")).toBeVisible();
  const details = editor.section("4. Details");
  await editor.type(details, "Title", "Lease via Hotsign");
  await details.getByLabel("Language of emails and receipt").selectOption("en-US");
  await expect(details.getByText("All changes saved")).toBeVisible();
  await expect(editor.section("5. Send").getByText("Everything is ready to send.")).toBeVisible();
  await page.screenshot({ path: "test-results/hotsign-editor.png", fullPage: true });
  await page.getByRole("region", { name: "Sending" }).getByRole("button", { name: "Send for signing" }).click();
  await expect(page.getByRole("heading", { name: "Waiting for signers" })).toBeVisible({ timeout: 30_000 });
  const requestPage = page.url();

  // Hotsign emails each signer (here: the sandbox mailbox); each signs on its page.
  for (const [email, fill] of [
    ["ann@example.nl", { "Tenant name": "Ann de Vries", "Tenant signature": "Ann de Vries" }],
    ["bob@example.nl", { "Landlord signature": "Bob Jansen" }],
  ] as const) {
    await page.goto("/sandbox/mail");
    const mail = page.locator("li.mail").filter({ hasText: "Hotsign invite" }).filter({ hasText: email }).first();
    const href = await mail.getByRole("link", { name: "Review and sign" }).getAttribute("href");
    const context = await browser.newContext();
    const signer = await context.newPage();
    const signerProblems = watchForErrors(signer);
    await signer.goto(href!);
    await expect(signer.getByRole("heading", { name: "Lease via Hotsign" })).toBeVisible();
    for (const [label, value] of Object.entries(fill)) await signer.getByLabel(label).fill(value);
    await signer.getByRole("button", { name: "Sign", exact: true }).click();
    await expect(signer.getByRole("heading", { name: "Signed" })).toBeVisible();
    expect(signerProblems).toEqual([]);
    await context.close();
  }

  await page.goto(requestPage);
  await hydrated(page);
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByText("Signed and archived", { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  await expect(progress.getByRole("link", { name: "Lease Main Street (signed).pdf" })).toBeVisible();
  await expect(progress.getByRole("link", { name: "audit-trail.pdf" })).toBeVisible();
  await page.screenshot({ path: "test-results/hotsign-archived.png", fullPage: true });
  // The refused save above is answered 422 on purpose (the browser logs it); nothing else may go wrong.
  expect(problems).toEqual(["console: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"]);
});
