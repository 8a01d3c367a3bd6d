import { test, expect } from "@playwright/test";
import { admin, hydrated, Shell, SignInPage } from "./pages";

async function signInToStaffPage(page: import("@playwright/test").Page) {
  const signIn = new SignInPage(page);
  await signIn.open("/sign-in?next=%2Fstaff");
  await hydrated(page);
  await signIn.signIn(admin.email, admin.password);
  await expect(page.getByRole("heading", { name: "Staff", exact: true })).toBeVisible();
  await hydrated(page);
}

test("an admin adds a staff member with a first password, who then signs in", async ({ page, browser }) => {
  const sam = `sam.${Date.now()}@example.com`;
  await signInToStaffPage(page);
  const section = page.getByRole("region", { name: "Add a staff member" });
  await section.getByLabel("I set it now and tell them in person").check();
  const form = section.getByRole("form", { name: "Add with a first password" });
  await form.getByLabel("Email address").fill("not an email");
  await form.getByLabel("Name").fill("Sam Staff");
  await form.getByLabel("First password").fill("short");
  await form.getByRole("button", { name: "Add staff member" }).click();
  await expect(form.getByText("Use at least 12 characters.")).toBeVisible();
  await expect(form.getByLabel("Name")).toHaveValue("Sam Staff");

  await form.getByLabel("Email address").fill(sam);
  await form.getByLabel("First password").fill("sam's first passphrase");
  await form.getByRole("button", { name: "Add staff member" }).click();
  await expect(section.getByText("The staff member was added.")).toBeVisible();
  // The form is empty again: no password left on the screen.
  await expect(form.getByLabel("First password")).toHaveValue("");
  await expect(form.getByLabel("Email address")).toHaveValue("");
  const accounts = page.getByRole("region", { name: "Accounts" });
  await expect(accounts.getByText(sam)).toBeVisible();
  // Admins do not get to disable (or demote) themselves.
  const own = accounts.getByRole("listitem").filter({ hasText: admin.email });
  await expect(own.getByText("(you)")).toBeVisible();
  await expect(own.getByRole("button", { name: /Disable/ })).toHaveCount(0);

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

  // Made an admin, Sam sees the staff page.
  await accounts.getByRole("listitem").filter({ hasText: sam }).getByRole("button", { name: "Make admin Sam Staff" }).click();
  await expect(page.getByText("The role was changed.")).toBeVisible();
  await samPage.goto("/staff");
  await expect(samPage.getByRole("heading", { name: "Staff", exact: true })).toBeVisible();
  await context.close();
});

test("an admin invites a staff member, who chooses a password with the link", async ({ page, browser, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const tess = `tess.${Date.now()}@example.com`;
  await signInToStaffPage(page);
  const section = page.getByRole("region", { name: "Add a staff member" });
  const form = section.getByRole("form", { name: "Add with a link" });
  await form.getByLabel("Email address").fill(tess);
  await form.getByLabel("Name").fill("Tess Invited");
  await form.getByRole("button", { name: "Add and make a link" }).click();
  await expect(section.getByText("Tess Invited was added.")).toBeVisible();
  const link = await section.getByLabel("The link").inputValue();
  expect(link).toMatch(/\/welcome\/[0-9a-f]{64}$/);

  const other = await browser.newContext();
  const tessPage = await other.newPage();
  await tessPage.goto(link);
  await hydrated(tessPage);
  await expect(tessPage.getByText("Welcome, Tess Invited.")).toBeVisible();
  await tessPage.getByLabel("New password").fill("tess chooses her own passphrase");
  await tessPage.getByLabel("The same password again").fill("tess chooses her own passphrase");
  await tessPage.getByRole("button", { name: "Set my password" }).click();
  await expect(tessPage.getByText("Your password is set. Sign in with it.")).toBeVisible();
  await expect(tessPage.getByLabel("Email address")).toHaveValue(tess);
  await tessPage.getByLabel("Password", { exact: true }).fill("tess chooses her own passphrase");
  await tessPage.getByRole("button", { name: "Sign in" }).click();
  await expect(tessPage.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  // The link works once.
  await tessPage.goto(link);
  await expect(tessPage.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
  await other.close();
});
