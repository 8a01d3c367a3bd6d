import { test, expect } from "@playwright/test";
import { hydrated, signInAsAdmin, watchForErrors } from "./pages";

// Every staff page hydrates and runs under the Content-Security-Policy
// (nonce'd scripts, WebAssembly, pdf.js) without a single violation.
test("every page runs under the CSP without a violation", async ({ page }) => {
  const problems = watchForErrors(page);
  await signInAsAdmin(page);
  for (const path of ["/", "/requests/new", "/staff", "/postbacks", "/sandbox/mail"]) {
    await page.goto(path);
    if (!path.startsWith("/sandbox")) await hydrated(page);
  }
  const csp = (await page.request.get("/")).headers()["content-security-policy"];
  expect(csp).toContain("frame-ancestors 'none'");
  expect(problems).toEqual([]);
});

test("the portal cannot be framed by another page", async ({ page }) => {
  await page.setContent(`<iframe id="f" src="${test.info().project.use.baseURL}/sign-in"></iframe>`);
  const frame = page.frameLocator("#f");
  await expect(frame.getByLabel("Email address")).toHaveCount(0, { timeout: 3_000 });
});
