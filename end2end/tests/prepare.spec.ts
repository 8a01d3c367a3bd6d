import { test, expect } from "@playwright/test";
import path from "node:path";
import { admin, hydrated, RequestEditor, SignInPage, watchForErrors } from "./pages";

const twoPages = path.join(__dirname, "..", "fixtures", "two-pages.pdf");

test("staff prepare a direct-flow request, place fields and hand out links", async ({ page, context }) => {
  const problems = watchForErrors(page);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const signIn = new SignInPage(page);
  await signIn.open();
  await hydrated(page);
  await signIn.signIn(admin.email, admin.password);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();

  const editor = await RequestEditor.create(page);
  const details = editor.section("1. Details");
  await editor.type(details, "Title", "Lease Keizersgracht 12");
  await details.getByLabel("Direct: the portal gives you the signing links").check();
  await expect(details.getByText("All changes saved")).toBeVisible();

  // A slow connection, so the progress bar can be seen.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 30 * 1024,
  });
  const documents = editor.section("2. Documents");
  await documents.getByLabel("Choose files…").setInputFiles(twoPages);
  const progress = documents.getByRole("progressbar", { name: "Upload of two-pages.pdf" });
  await expect(progress).toBeVisible();
  await expect(documents.getByText(/Uploading… \d+%/)).toBeVisible();
  await expect(documents.getByLabel("Name of the document")).toHaveValue("two-pages.pdf", { timeout: 30_000 });
  await expect(progress).toHaveCount(0);
  await expect(documents.getByText("2 pages, 1 rotated")).toBeVisible();
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });

  await editor.addSigner(1, "Ann de Vries", "ann@example.nl");
  await editor.addSigner(2, "Bob Jansen", "bob@example.nl");

  // The pages are drawn; the tags found in the PDF name their signers.
  const fields = editor.section("4. Fields on the pages");
  await expect(page.locator('canvas[data-page="1"][data-rendered="true"]')).toBeAttached({ timeout: 20_000 });
  await expect(page.locator('canvas[data-page="2"][data-rendered="true"]')).toBeAttached();
  await expect(fields.getByText("on page 2 → signature of 2. Bob Jansen")).toBeVisible();

  await editor.dragField("Signature", "1. Ann de Vries", 120, 420);
  await expect(fields.getByRole("button", { name: /Signature · 1\. Ann de Vries field/ })).toBeVisible();
  await editor.dragField("Signature", "2. Bob Jansen", 380, 420);
  const bobField = fields.getByRole("button", { name: /Signature · 2\. Bob Jansen field/ });
  await expect(bobField).toBeVisible();
  await expect(fields.getByText("All changes saved")).toBeVisible();

  // Fields keep their place (in PDF points) across a reload.
  const before = await bobField.boundingBox();
  await page.reload();
  await hydrated(page);
  const after = await page.getByRole("button", { name: /Signature · 2\. Bob Jansen field/ }).boundingBox();
  expect(Math.abs((after?.x ?? 0) - (before?.x ?? 0))).toBeLessThan(2);
  expect(Math.abs((after?.y ?? 0) - (before?.y ?? 0))).toBeLessThan(2);

  const send = editor.section("5. Before you send");
  await expect(send.getByText("Everything is ready to send.")).toBeVisible();
  await send.getByRole("button", { name: "Send for signing" }).click();
  await expect(page.getByRole("heading", { name: "Waiting for signers" })).toBeVisible({ timeout: 30_000 });

  const waiting = page.getByRole("region", { name: "Waiting for signers" });
  const annLink = waiting.getByLabel("Signing link for 1. Ann de Vries");
  await expect(annLink).toHaveValue(/\/s\/[0-9a-f]{64}$/);
  await waiting.getByRole("button", { name: "Copy link" }).first().click();
  await expect(waiting.getByRole("button", { name: "Copied" })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await annLink.inputValue());

  const signNow = waiting.getByRole("link", { name: "Sign now on this device" }).first();
  const [signer] = await Promise.all([context.waitForEvent("page"), signNow.click()]);
  await expect(signer).toHaveURL(/\/sandbox\/sign\//);
  expect(problems).toEqual([]);
});
