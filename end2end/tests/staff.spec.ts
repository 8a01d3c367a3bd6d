import { test, expect } from "@playwright/test";
import { admin, hydrated, Shell, SignInPage } from "./pages";

test("an admin adds a staff member who then signs in", async ({ page, browser }) => {
  const sam = `sam.${Date.now()}@example.com`;
  const signIn = new SignInPage(page);
  await signIn.open("/sign-in?next=%2Fstaff");
  await hydrated(page);
  await signIn.signIn(admin.email, admin.password);
  await expect(page.getByRole("heading", { name: "Staff", exact: true })).toBeVisible();
  await hydrated(page);

  const form = page.getByRole("region", { name: "Add a staff member" });
  await form.getByLabel("Email address").fill("not an email");
  await form.getByLabel("Name").fill("Sam Staff");
  await form.getByLabel("First password").fill("short");
  await form.getByRole("button", { name: "Add staff member" }).click();
  await expect(form.getByText("Use at least 12 characters.")).toBeVisible();
  await expect(form.getByLabel("Name")).toHaveValue("Sam Staff");

  await form.getByLabel("Email address").fill(sam);
  await form.getByLabel("First password").fill("sam's first passphrase");
  await form.getByRole("button", { name: "Add staff member" }).click();
  await expect(form.getByText("The staff member was added.")).toBeVisible();
  const accounts = page.getByRole("region", { name: "Accounts" });
  await expect(accounts.getByText(sam)).toBeVisible();

  const context = await browser.newContext();
  const samPage = await context.newPage();
  const samSignIn = new SignInPage(samPage);
  await samSignIn.open();
  await hydrated(samPage);
  await samSignIn.signIn(sam, "sam's first passphrase");
  await expect(samPage.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await expect(new Shell(samPage).nav().getByRole("link", { name: "Staff" })).toHaveCount(0);
  const res = await samPage.goto("/staff");
  expect(res?.status()).toBe(403);
  await context.close();
});
