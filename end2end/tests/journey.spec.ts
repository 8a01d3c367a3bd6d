import { test, expect, type Page } from "@playwright/test";
import { createHash } from "node:crypto";
import path from "node:path";
import { hydrated, sendRequest, signInAsAdmin, signOnSandbox, watchForErrors } from "./pages";

const twoPages = path.join(__dirname, "..", "fixtures", "two-pages.pdf");

/** Reloads the request page until its progress badge says `text`. */
async function waitForProgress(page: Page, text: string) {
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("region", { name: "Progress" }).getByText(text, { exact: true }).first()).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 45_000 });
}

test("direct flow: both signers sign, the portal confirms, archives and hands out the proof", async ({ page, browser }) => {
  const problems = watchForErrors(page);
  await signInAsAdmin(page);
  const requestUrl = await sendRequest(page, "Lease direct", "direct", twoPages);
  const waiting = page.getByRole("region", { name: "Waiting for signers" });
  const links = [
    await waiting.getByLabel("Signing link for 1. Ann de Vries").inputValue(),
    await waiting.getByLabel("Signing link for 2. Bob Jansen").inputValue(),
  ];

  for (const link of links) {
    // Each signer on their own device: no staff session.
    const context = await browser.newContext();
    const signer = await context.newPage();
    const signerProblems = watchForErrors(signer);
    await signer.goto(link);
    await signOnSandbox(signer);
    await expect(signer.getByRole("heading", { name: "Thank you for signing" })).toBeVisible({ timeout: 15_000 });
    await expect(signer.getByText("Bob Jansen")).toHaveCount(0);
    // The signing page (pdf.js) and the landing page run under the CSP.
    expect(signerProblems).toEqual([]);
    await context.close();
  }

  await page.goto(requestUrl);
  await waitForProgress(page, "Signed and archived");
  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByText("signed").first()).toBeVisible();

  // The downloads are the files whose SHA-256 the page shows.
  const files = progress.getByRole("list").filter({ has: page.getByRole("link", { name: /\.pdf$/ }) }).getByRole("listitem");
  await expect(files).toHaveCount(2);
  for (const item of await files.all()) {
    const href = await item.getByRole("link").getAttribute("href");
    const shown = (await item.locator("code").innerText()).trim();
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toBe("application/pdf");
    expect(createHash("sha256").update(await res.body()).digest("hex")).toBe(shown);
  }
  const zip = await page.request.get(requestUrl + "/evidence.zip");
  expect(zip.headers()["content-type"]).toBe("application/zip");

  await page.goto("/?q=Lease+direct");
  await hydrated(page);
  const row = page.getByRole("row").filter({ hasText: "Lease direct" });
  await expect(row.getByText("Signed", { exact: true })).toBeVisible();
  await expect(row.getByText("Archived")).toBeVisible();
  await expect(row.getByText("2 of 2")).toBeVisible();
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
  await waitForProgress(page, "Signed and archived");
  await expect(page.getByRole("region", { name: "Progress" }).getByText("was invited by email").first()).toBeVisible();
});

test("a rejection shows the reason on the timeline", async ({ page, browser }) => {
  await signInAsAdmin(page);
  const requestUrl = await sendRequest(page, "Lease rejected", "direct", twoPages);
  const link = await page.getByLabel("Signing link for 2. Bob Jansen").inputValue();
  const context = await browser.newContext();
  const signer = await context.newPage();
  await signer.goto(link);
  await signOnSandbox(signer, "The rent is wrong");
  await expect(signer.getByRole("heading", { name: "You declined to sign" })).toBeVisible({ timeout: 15_000 });
  await context.close();
  await page.goto(requestUrl);
  await waitForProgress(page, "Rejected");
  await expect(page.getByText("rejected: “The rent is wrong”")).toBeVisible();
});
