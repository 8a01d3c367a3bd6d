import { test, expect, type Page } from "@playwright/test";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { admin, hydrated, RequestEditor, SignInPage, watchForErrors } from "./pages";

const twoPages = path.join(__dirname, "..", "fixtures", "two-pages.pdf");

/** Where a field sits on the first page, relative to the page (px). */
async function offsetOnPage(editor: RequestEditor, field: ReturnType<Page["locator"]>) {
  const box = await field.boundingBox();
  const page = await editor.page1().boundingBox();
  return { x: (box?.x ?? 0) - (page?.x ?? 0), y: (box?.y ?? 0) - (page?.y ?? 0) };
}

test("staff prepare a direct-flow request, place fields and hand out links", async ({ page, context }) => {
  const problems = watchForErrors(page);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const signIn = new SignInPage(page);
  await signIn.open();
  await hydrated(page);
  await signIn.signIn(admin.email, admin.password);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();

  // Dropping the first PDF on "New request" makes the draft (slowly, so the progress shows).
  await page.goto("/requests/new");
  await hydrated(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 30 * 1024,
  });
  await page.getByLabel("Choose PDF files…").setInputFiles(twoPages);
  await expect(page.getByRole("progressbar", { name: "Upload of two-pages.pdf" })).toBeVisible();
  await expect(page.getByText(/Uploading… \d+%/)).toBeVisible();
  await expect(page).toHaveURL(/\/requests\/\d+$/, { timeout: 30_000 });
  await hydrated(page);
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1,
  });
  const editor = new RequestEditor(page);
  // Four services are configured (Signhost and the Signicat, SignAPI and Hotsign simulators): new drafts get the default.
  await expect(page.getByLabel("Signing service")).toHaveValue("signhost");
  await expect(page.getByLabel("Signing service").locator("option")).toHaveText(["Signhost", "CertEurope SignAPI", "Hotsign (experimental)", "Signicat"]);
  const documents = editor.section("1. Documents");
  await expect(documents.getByLabel("Name of the document")).toHaveValue("two-pages.pdf");
  await expect(documents.getByText("2 pages, 1 rotated")).toBeVisible();
  // The uploaded PDF opens in a new tab, and downloads, when its links are clicked.
  const [opened] = await Promise.all([context.waitForEvent("page"), documents.getByRole("link", { name: "Open" }).click()]);
  await expect(opened).toHaveURL(/\/requests\/\d+\/documents\/\d+\/pdf$/);
  await opened.close();
  const [file] = await Promise.all([page.waitForEvent("download"), documents.getByRole("link", { name: "Download" }).click()]);
  const downloaded = await readFile((await file.path())!);
  expect(createHash("sha256").update(downloaded).digest("hex")).toBe(createHash("sha256").update(await readFile(twoPages)).digest("hex"));

  // Details first: the direct flow (no invitation messages needed).
  const details = editor.section("4. Details");
  await editor.type(details, "Title", "Lease Keizersgracht 12");
  await details.getByLabel("Direct: the portal gives you the signing links").check();
  await expect(details.getByText("All changes saved")).toBeVisible();
  // A number the server refuses is reported, not "saved"; a good one is saved.
  await editor.type(details, "Days until it expires", "1e3");
  await expect(details.getByText(/Not saved/)).toBeVisible();
  await expect(details.getByText("Enter a number of days, like 30.")).toBeVisible();
  await editor.type(details, "Days until it expires", "30");
  await expect(details.getByText("All changes saved")).toBeVisible();

  // The steps say what is left; a problem leads to its field.
  const steps = page.getByRole("navigation", { name: "Steps" });
  await expect(steps.getByRole("link", { name: /Signers.*to fix/ })).toBeVisible();
  await editor.addSigner(1, "Ann de Vries", "ann@example.nl");
  await editor.addSigner(2, "Bob Jansen", "bob-at-example.nl");
  const signers = editor.section("2. Signers");
  // A bad address is flagged at once, at the field.
  await expect(signers.getByText(/Signer 2: .*e-?mail/i).first()).toBeVisible();
  const bar = page.getByRole("region", { name: "Sending" });
  await expect(bar.getByText(/problems? to fix/)).toBeVisible();
  await bar.getByRole("button", { name: "Show the first problem" }).click();
  const bob = signers.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Signer 2" }) });
  await expect(bob.getByLabel("Email address", { exact: true })).toBeFocused();
  await editor.type(bob, "Email address", "bob@example.nl");
  await expect(signers.getByText("All changes saved")).toBeVisible();

  // The builder: pages drawn, tags drawn as "auto" boxes.
  const fields = editor.fields();
  await expect(page.locator('.pdf-page canvas[data-page="1"][data-rendered="true"]')).toBeAttached({ timeout: 20_000 });
  await expect(page.locator('.pdf-page canvas[data-page="2"][data-rendered="true"]')).toBeAttached();
  await expect(fields.getByText("page 2: signature of 2. Bob Jansen")).toBeVisible();
  await expect(fields.getByText("auto · Signature · 2. Bob Jansen")).toBeVisible();
  await expect(fields.getByText("Page 1 of 2")).toBeVisible();

  // A ghost of the field follows the pointer while placing.
  await fields.getByRole("radio", { name: "1. Ann de Vries" }).check();
  const palette = fields.getByRole("button", { name: "Signature", exact: true });
  await editor.page1().scrollIntoViewIfNeeded();
  await palette.hover();
  const pageBox = (await editor.page1().boundingBox())!;
  await page.mouse.down();
  await page.mouse.move(pageBox.x + 150, pageBox.y + 300, { steps: 8 });
  await expect(page.locator(".field-ghost")).toBeVisible();
  await expect(page.locator(".field-ghost")).toContainText("Signature · 1. Ann de Vries");
  await page.mouse.up();
  await expect(page.locator(".field-ghost")).toHaveCount(0);
  const annField = fields.getByRole("button", { name: /Signature · 1\. Ann de Vries field/ });
  await expect(annField).toBeVisible();

  await editor.dragField("Signature", "2. Bob Jansen", 380, 420);
  const bobField = fields.getByRole("button", { name: /Signature · 2\. Bob Jansen field/ });
  await expect(bobField).toBeVisible();
  await expect(fields.getByText("All changes saved")).toBeVisible();

  // Undo and redo: Ctrl+Z takes Bob's field away, Ctrl+Shift+Z brings it back.
  await page.keyboard.press("Control+z");
  await expect(bobField).toHaveCount(0);
  await page.keyboard.press("Control+Shift+z");
  await expect(bobField).toBeVisible();
  // A removed field comes back with the note's Undo.
  await bobField.focus();
  await page.keyboard.press("Delete");
  await expect(bobField).toHaveCount(0);
  await page.getByRole("status").getByRole("button", { name: "Undo" }).click();
  await expect(bobField).toBeVisible();
  await expect(fields.getByText("All changes saved")).toBeVisible();

  // Switching a field to "next to a text" and back keeps its place.
  const before = await offsetOnPage(editor, bobField);
  await bobField.click();
  await fields.getByLabel("Position").selectOption("text");
  await expect(bobField).toBeHidden();
  await fields.getByLabel("Position").selectOption("page");
  await expect(bobField).toBeVisible();
  const back = await offsetOnPage(editor, bobField);
  expect(Math.abs(back.x - before.x)).toBeLessThan(2);
  expect(Math.abs(back.y - before.y)).toBeLessThan(2);
  await expect(fields.getByText("All changes saved")).toBeVisible();

  // Fields keep their place (in PDF points) across a reload.
  await page.reload();
  await hydrated(page);
  const after = await offsetOnPage(editor, page.getByRole("button", { name: /Signature · 2\. Bob Jansen field/ }));
  expect(Math.abs(after.x - before.x)).toBeLessThan(2);
  expect(Math.abs(after.y - before.y)).toBeLessThan(2);

  const send = editor.section("5. Send");
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
  // The one refused number was answered 422, as it should; nothing else went wrong.
  expect(problems.filter((p) => !p.includes("status of 422"))).toEqual([]);
  expect(problems.filter((p) => p.includes("status of 422"))).toHaveLength(1);
});

test("the field builder at 1366 and 390 px wide", async ({ page }) => {
  const problems = watchForErrors(page);
  const signIn = new SignInPage(page);
  await signIn.open();
  await hydrated(page);
  await signIn.signIn(admin.email, admin.password);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  const editor = await RequestEditor.create(page, twoPages);
  await editor.addSigner(1, "Ann de Vries", "ann@example.nl");
  await editor.addSigner(2, "Bob Jansen", "bob@example.nl");
  // The {{Signer1}} tag on page 1 becomes a field where it stands.
  const annFields = editor.fields().getByRole("button", { name: /Signature · 1\. Ann de Vries field/ });
  await expect(annFields).toHaveCount(0);
  await editor.fields().getByRole("button", { name: "Make the tag on page 1 a field for 1. Ann de Vries" }).click();
  await expect(annFields).toHaveCount(1);
  await expect(editor.fields().getByText("All changes saved")).toBeVisible();
  for (const [width, height] of [[1366, 850], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await expect(page.locator('.pdf-page canvas[data-page="1"][data-rendered="true"]')).toBeAttached({ timeout: 20_000 });
    await editor.dragField("Signature", "1. Ann de Vries", 60, 120);
    await editor.fields().scrollIntoViewIfNeeded();
    // The page is never wider than the window.
    const pageBox = (await editor.page1().boundingBox())!;
    expect(pageBox.width).toBeLessThanOrEqual(width);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(width + 1);
    await page.screenshot({ path: test.info().outputPath(`builder-${width}.png`), fullPage: false });
  }
  expect(problems).toEqual([]);
});
