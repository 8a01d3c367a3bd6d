import { test, expect } from "@playwright/test";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { RequestEditor, hydrated, signInAsAdmin, watchForErrors } from "./pages";

const twoPages = path.join(__dirname, "..", "fixtures", "two-pages.pdf");

test("Signicat: staff send a two-signer request, both sign on the simulator's page, the signed file downloads", async ({ page, browser }) => {
  const problems = watchForErrors(page);
  await signInAsAdmin(page);
  const editor = await RequestEditor.create(page, twoPages);
  await page.getByLabel("Signing service").selectOption("signicat");
  await expect(page.getByText("Signicat places the signatures itself")).toBeVisible();
  await editor.addSigner(1, "Ann de Vries", "ann@example.nl");
  await editor.addSigner(2, "Bob Jansen", "bob@example.nl");
  // Signicat's own words for how a signer signs.
  const signers = editor.section("2. Signers");
  await expect(signers.getByText("Signature method and authentication").first()).toBeVisible();
  const details = editor.section("4. Details");
  await editor.type(details, "Title", "Lease via Signicat");
  await details.getByLabel("Language of emails and receipt").selectOption("en-US");
  await details.getByLabel("Direct: the portal gives you the signing links").check();
  await expect(details.getByText("All changes saved")).toBeVisible();
  await expect(editor.section("5. Send").getByText("Everything is ready to send.")).toBeVisible();
  await page.getByRole("region", { name: "Sending" }).getByRole("button", { name: "Send for signing" }).click();
  await expect(page.getByRole("heading", { name: "Waiting for signers" })).toBeVisible({ timeout: 30_000 });
  const waiting = page.getByRole("region", { name: "Waiting for signers" });
  const links = [
    await waiting.getByLabel("Signing link for 1. Ann de Vries").inputValue(),
    await waiting.getByLabel("Signing link for 2. Bob Jansen").inputValue(),
  ];

  for (const link of links) {
    const context = await browser.newContext();
    const signer = await context.newPage();
    const signerProblems = watchForErrors(signer);
    await signer.goto(link);
    // The portal's link leads to Signicat's (here: the simulator's) page.
    await expect(signer).toHaveURL(/\/sandbox\/signicat\/sign\//);
    await expect(signer.getByRole("heading", { name: "Lease via Signicat" })).toBeVisible();
    await expect(signer.locator("canvas[data-pdf]").first()).toHaveAttribute("data-rendered", "true");
    await signer.getByRole("button", { name: "Sign", exact: true }).click();
    // Back on the portal with the signer's own token.
    await expect(signer).toHaveURL(/\/return\?t=/, { timeout: 30_000 });
    await expect(signer.getByRole("heading", { name: "Thank you for signing" })).toBeVisible({ timeout: 20_000 });
    expect(signerProblems).toEqual([]);
    await context.close();
  }

  const progress = page.getByRole("region", { name: "Progress" });
  await expect(progress.getByText("Signed and archived", { exact: true }).first()).toBeVisible({ timeout: 60_000 });
  await expect(progress.getByText("The signed documents were archived in the portal")).toBeVisible();
  const files = progress.getByRole("list").filter({ has: page.getByRole("link", { name: /\.pdf$/ }) }).getByRole("listitem");
  await expect(files).toHaveCount(1);
  const item = files.first();
  const shown = ((await item.locator("code").textContent()) ?? "").trim();
  const [download] = await Promise.all([page.waitForEvent("download"), item.getByRole("link").click()]);
  const bytes = await readFile((await download.path())!);
  expect(download.suggestedFilename()).toBe("two-pages (signed).pdf");
  expect(bytes.subarray(0, 4).toString()).toBe("%PDF");
  expect(createHash("sha256").update(bytes).digest("hex")).toBe(shown);

  await page.goto("/?q=Lease+via+Signicat");
  await hydrated(page);
  const row = page.getByRole("row").filter({ hasText: "Lease via Signicat" });
  await expect(row.getByText("Signed", { exact: true })).toBeVisible();
  expect(problems).toEqual([]);
});
