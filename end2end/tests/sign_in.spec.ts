import { test, expect } from "@playwright/test";
import { admin, hydrated, watchForErrors, Shell, SignInPage } from "./pages";

test("signs in, sees the shell, signs out", async ({ page }) => {
  const problems = watchForErrors(page);
  await page.goto("/staff");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fstaff$/);
  await hydrated(page);
  const signIn = new SignInPage(page);
  await signIn.signIn(admin.email, admin.password);

  await expect(page.getByRole("heading", { name: "Staff", exact: true })).toBeVisible();
  const shell = new Shell(page);
  for (const name of ["Requests", "New request", "Staff"]) {
    await expect(shell.nav().getByRole("link", { name })).toBeVisible();
  }
  await expect(page.getByTitle(admin.email)).toHaveText("Ada Admin");

  await shell.nav().getByRole("link", { name: "Requests" }).click();
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "New request" }).first()).toBeVisible();
  await shell.signOut();
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  expect(problems).toEqual([]);
});

test("a wrong password keeps the email and says what is wrong", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await hydrated(page);
  await signIn.signIn(admin.email, "not the password at all");
  await expect(page.getByText("The email address or password is not right.")).toBeVisible();
  await expect(page.getByLabel("Email address")).toHaveValue(admin.email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("aria-invalid", "true");
});

test("the password toggle responds after hydration", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await hydrated(page);
  const password = page.getByLabel("Password", { exact: true });
  await password.fill("secret words");
  await expect(password).toHaveAttribute("type", "password");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(password).toHaveAttribute("type", "text");
  await page.getByRole("button", { name: "Hide" }).click();
  await expect(password).toHaveAttribute("type", "password");
});

test("unknown pages say so", async ({ page }) => {
  await new SignInPage(page).open();
  await hydrated(page);
  await new SignInPage(page).signIn(admin.email, admin.password);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  const res = await page.goto("/no/such/page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
