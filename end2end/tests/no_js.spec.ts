import { test, expect } from "@playwright/test";
import { admin, SignInPage } from "./pages";

test.use({ javaScriptEnabled: false });

test("without JavaScript: sign in (after a mistake), see the shell, sign out", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open("/");
  await signIn.signIn(admin.email, "a wrong password");
  await expect(page.getByText("The email address or password is not right.")).toBeVisible();
  await expect(page.getByLabel("Email address")).toHaveValue(admin.email);

  await page.getByLabel("Password", { exact: true }).fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Staff" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});
