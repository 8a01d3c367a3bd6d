import { test, expect, type Page } from "@playwright/test";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { hydrated, sendRequest, signInAsAdmin, signOnSandbox, watchForErrors } from "./pages";

const twoPages = path.join(__dirname, "..", "fixtures", "two-pages.pdf");

/** Waits (without reloading: the page follows the request) for the progress badge. */
async function waitForProgress(page: Page, text: string, timeout = 45_000) {
  await expect(page.getByRole("region", { name: "Progress" }).getByText(text, { exact: true }).first()).toBeVisible({ timeout });
}

/** Clicks a link as a person does and returns the downloaded bytes. */
async function download(page: Page, link: ReturnType<Page["locator"]>) {
  const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const saved = await file.path();
  return { name: file.suggestedFilename(), bytes: await readFile(saved!) };
}

/** A signer on their own device (no staff session) signs or rejects. */
async function signAs(browser: import("@playwright/test").Browser, link: string, reject?: string) {
  const context = await browser.newContext();
  const signer = await context.newPage();
  const problems = watchForErrors(signer);
  await signer.goto(link);
  await signOnSandbox(signer, reject);
  const heading = reject ? "You declined to sign" : "Thank you for signing";
  await expect(signer.getByRole("heading", { name: heading })).toBeVisible({ timeout: 15_000 });
  await expect(signer.getByText(reject ? "Ann de Vries" : "Bob Jansen")).toHaveCount(0);
  // The signing page (pdf.js) and the landing page run under the CSP.
  expect(problems).toEqual([]);
  await context.close();
}

test("direct flow: both signers sign, the page follows, the portal archives and hands out the proof", async ({ page, browser }) => {
  const problems = watchForErrors(page);
  await signInAsAdmin(page);
  await sendRequest(page, "Lease direct", "direct", twoPages);
  const waiting = page.getByRole("region", { name: "Waiting for signers" });
  const links = [
    await waiting.getByLabel("Signing link for 1. Ann de Vries").inputValue(),
    await waiting.getByLabel("Signing link for 2. Bob Jansen").inputValue(),
  ];
  // "Email the link" writes the signer a message with their own link.
  const mail = await waiting.getByRole("link", { name: "Email the link" }).first().getAttribute("href");
  expect(mail).toMatch(/^mailto:ann@example\.nl\?/);
  expect(decodeURIComponent(mail!)).toContain(links[0]);
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByText("0 of 2 signed")).toBeVisible();
  await expect(progress.getByText("Ada Admin sent the request for signing")).toBeVisible();

  // The staff page stays open and shows the first signature without a reload.
  await signAs(browser, links[0]);
  await waitForProgress(page, "1 of 2 signed", 20_000);
  await expect(progress.getByRole("listitem").filter({ hasText: "Ann de Vries" }).getByText("Signed", { exact: true })).toBeVisible();

  await signAs(browser, links[1]);
  await waitForProgress(page, "Signed and archived");
  await expect(progress.getByText("Everyone has signed: the request is completed")).toBeVisible();
  await expect(progress.getByText("The signed documents and the receipt were archived in the portal")).toBeVisible();
  // Times are in the viewer's zone; UTC is in the tooltip.
  await expect(progress.locator("time").first()).toHaveAttribute("title", / UTC$/);

  // Every file downloads when clicked, and is the file whose SHA-256 the page shows.
  const files = progress.getByRole("list").filter({ has: page.getByRole("link", { name: /\.pdf$/ }) }).getByRole("listitem");
  await expect(files).toHaveCount(2);
  for (const item of await files.all()) {
    const link = item.getByRole("link");
    const shown = ((await item.locator("code").textContent()) ?? "").trim();
    const { name, bytes } = await download(page, link);
    expect(name).toMatch(/\.pdf$/);
    expect(bytes.subarray(0, 4).toString()).toBe("%PDF");
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(shown);
  }
  const zip = await download(page, progress.getByRole("link", { name: "Download the evidence bundle (zip)" }));
  expect(zip.name).toMatch(/\.zip$/);
  expect(zip.bytes.subarray(0, 2).toString()).toBe("PK");
  // Still on the request page (the router did not take the links).
  await expect(page.getByRole("heading", { name: "Lease direct" })).toBeVisible();

  await page.goto("/?q=Lease+direct");
  await hydrated(page);
  const row = page.getByRole("row").filter({ hasText: "Lease direct" });
  await expect(row.getByText("Signed", { exact: true })).toBeVisible();
  await expect(row.getByText("Archived")).toBeVisible();
  await expect(row.getByText("2 of 2")).toBeVisible();
  // The list follows the search as it is typed, and says how many match.
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("searchbox", { name: "Search" }).fill("Lease dir");
  await expect(page).toHaveURL(/\?q=Lease%20dir/);
  await expect(page.getByRole("status").filter({ hasText: /^1 request$/ })).toBeVisible();
  await expect(page.getByRole("searchbox", { name: "Search" })).toBeFocused();
  // A row can be copied into a new draft.
  await page.getByRole("button", { name: "Duplicate Lease direct" }).click();
  await expect(page).toHaveURL(/\/requests\/\d+$/);
  await expect(page.getByRole("heading", { name: "Copy of Lease direct" })).toBeVisible();
  expect(problems).toEqual([]);
});

test("invite flow: the invitation arrives in the sandbox mailbox and the journey completes from there", async ({ page, browser }) => {
  await signInAsAdmin(page);
  const requestUrl = await sendRequest(page, "Lease invite", "invite", twoPages);
  const context = await browser.newContext();
  const mail = await context.newPage();
  for (const email of ["ann@example.nl", "bob@example.nl"]) {
    // The sandbox mailbox is for staff; the signer opens the link on their own browser.
    await page.goto("/sandbox/mail");
    const invitation = page.getByRole("listitem").filter({ hasText: email }).first();
    const link = await invitation.getByRole("link", { name: "Open the document to sign" }).getAttribute("href");
    await mail.goto(link!);
    await signOnSandbox(mail);
    await expect(mail.getByRole("heading", { name: "Thank you for signing" })).toBeVisible({ timeout: 15_000 });
  }
  await context.close();
  await page.goto(requestUrl);
  await hydrated(page);
  await waitForProgress(page, "Signed and archived");
  await expect(page.getByRole("region", { name: "Progress" }).getByText("was invited by email").first()).toBeVisible();
});

test("a rejection: the reason on the timeline, the other signer no longer needed", async ({ page, browser }) => {
  await signInAsAdmin(page);
  await sendRequest(page, "Lease rejected", "direct", twoPages);
  const link = await page.getByLabel("Signing link for 2. Bob Jansen").inputValue();
  await signAs(browser, link, "The rent is wrong");
  await waitForProgress(page, "Rejected");
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByText("rejected: “The rent is wrong”")).toBeVisible();
  await expect(progress.getByText("The request was rejected")).toBeVisible();
  await expect(progress.getByRole("listitem").filter({ hasText: "Ann de Vries" }).getByText("Not needed: rejected by another signer")).toBeVisible();
  await expect(progress.getByRole("listitem").filter({ hasText: "Bob Jansen" }).getByText("Rejected", { exact: true })).toBeVisible();
  // Fix and send again: a new draft with the same documents and people.
  await page.getByRole("button", { name: "Fix and send again" }).click();
  await expect(page).toHaveURL(/\/requests\/\d+$/);
  await expect(page.getByRole("region", { name: "1. Documents" }).getByLabel("Name of the document")).toHaveValue("two-pages.pdf");
});

test("a cancel: who cancelled and why, the signers end as not signed", async ({ page }) => {
  await signInAsAdmin(page);
  await sendRequest(page, "Lease cancelled", "direct", twoPages);
  await page.getByText("Cancel this request…").click();
  await page.getByLabel("Reason (signers may see it)").fill("Wrong tenant");
  await page.getByRole("button", { name: "Yes, cancel the request" }).click();
  await waitForProgress(page, "Cancelled");
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByText("Ada Admin cancelled the request: “Wrong tenant”")).toBeVisible();
  // Signhost reports the cancel on every signer; the timeline tells it once.
  await expect(progress.getByRole("listitem").filter({ hasText: /^.*(Ann de Vries|Bob Jansen) cancelled$/ })).toHaveCount(0);
  for (const name of ["Ann de Vries", "Bob Jansen"]) {
    await expect(progress.getByRole("listitem").filter({ hasText: name }).getByText("Not signed: cancelled")).toBeVisible();
  }
});

test("an expiry: the request and its signers end as expired", async ({ page }) => {
  await signInAsAdmin(page);
  const requestUrl = await sendRequest(page, "Lease expiring", "direct", twoPages, 1);
  // Two days later on the sandbox's clock.
  await page.goto("/sandbox/mail");
  await page.getByLabel("Move the sandbox clock forward (days)").fill("2");
  await page.getByRole("button", { name: "Move clock" }).click();
  await expect(page.getByRole("button", { name: "Move clock" })).toBeVisible();
  await page.waitForLoadState("load");
  await page.goto(requestUrl);
  await hydrated(page);
  await waitForProgress(page, "Expired");
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByText("The request expired before everyone had signed")).toBeVisible();
  for (const name of ["Ann de Vries", "Bob Jansen"]) {
    await expect(progress.getByRole("listitem").filter({ hasText: name }).getByText("Not signed: expired")).toBeVisible();
  }
  await expect(page.getByRole("button", { name: "Fix and send again" })).toBeVisible();
});
