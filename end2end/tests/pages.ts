import { expect, type Page } from "@playwright/test";

export const admin = {
  email: process.env.E2E_ADMIN_EMAIL ?? "admin@example.com",
  password: process.env.E2E_ADMIN_PASSWORD ?? "e2e admin passphrase",
};

/** Fails the test on any console error or failed request of the page. */
export function watchForErrors(page: Page): string[] {
  const problems: string[] = [];
  // Content-Security-Policy violations are reported as console errors too.
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
  });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toBeAttached({ timeout: 20_000 });
}

export class SignInPage {
  constructor(private page: Page) {}

  async open(path = "/sign-in") {
    await this.page.goto(path);
    await expect(this.page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  }

  async signIn(email: string, password: string) {
    await this.page.getByLabel("Email address").fill(email);
    await this.page.getByLabel("Password", { exact: true }).fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }
}

export class Shell {
  constructor(private page: Page) {}

  nav() {
    return this.page.getByRole("navigation", { name: "Main" });
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(this.page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  }
}

/** The request page while preparing a request. */
export class RequestEditor {
  constructor(private page: Page) {}

  /**
   * A new request: with `pdf`, dropped on the New request page (which makes
   * the draft and uploads it); without, an empty draft.
   */
  static async create(page: Page, pdf?: string) {
    await page.goto("/requests/new");
    await hydrated(page);
    if (pdf) {
      await page.getByLabel("Choose PDF files…").setInputFiles(pdf);
    } else {
      await page.getByRole("button", { name: "Start without a document" }).click();
    }
    await expect(page).toHaveURL(/\/requests\/\d+$/, { timeout: 30_000 });
    await hydrated(page);
    return new RequestEditor(page);
  }

  section(name: string) {
    return this.page.getByRole("region", { name });
  }

  /** Types into a field and leaves it, which saves it. */
  async type(scope: ReturnType<Page["locator"]>, label: string, value: string) {
    const input = scope.getByLabel(label, { exact: true });
    await input.fill(value);
    await input.blur();
  }

  async addSigner(n: number, name: string, email: string) {
    const signers = this.section("2. Signers");
    await signers.getByRole("button", { name: "+ Add signer" }).click();
    const card = signers.getByRole("listitem").filter({ has: this.page.getByRole("heading", { name: `Signer ${n}` }) });
    await this.type(card, "Name", name);
    await this.type(card, "Email address", email);
    await expect(signers.getByText("All changes saved")).toBeVisible();
  }

  page1() {
    return this.page.locator('.pdf-page[data-page="1"]').first();
  }

  fields() {
    return this.section("3. Fields");
  }

  /** Drags a field type from the palette onto the first page. */
  async dragField(kind: string, signer: string, x: number, y: number) {
    const fields = this.fields();
    await fields.getByRole("radio", { name: signer }).check();
    await fields.getByRole("button", { name: kind, exact: true }).dragTo(this.page1(), { targetPosition: { x, y } });
  }
}

export async function signInAsAdmin(page: Page) {
  const signIn = new SignInPage(page);
  await signIn.open();
  await hydrated(page);
  await signIn.signIn(admin.email, admin.password);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
}

/**
 * A request with the two-page PDF, two signers and a signature field each,
 * sent in the given flow; returns once the portal waits for the signers.
 */
export async function sendRequest(page: Page, title: string, flow: "invite" | "direct", pdf: string, days?: number) {
  const editor = await RequestEditor.create(page, pdf);
  await expect(editor.section("1. Documents").getByLabel("Name of the document")).toHaveValue("two-pages.pdf");
  await editor.addSigner(1, "Ann de Vries", "ann@example.nl");
  await editor.addSigner(2, "Bob Jansen", "bob@example.nl");
  const details = editor.section("4. Details");
  await editor.type(details, "Title", title);
  await details.getByLabel("Language of emails and receipt").selectOption("en-US");
  if (flow === "direct") await details.getByLabel("Direct: the portal gives you the signing links").check();
  if (days) await editor.type(details, "Days until it expires", String(days));
  await expect(details.getByText("All changes saved")).toBeVisible();
  if (flow === "invite") {
    const signers = editor.section("2. Signers");
    for (const n of [1, 2]) {
      const card = signers.getByRole("listitem").filter({ has: page.getByRole("heading", { name: `Signer ${n}` }) });
      await editor.type(card, "Message in the invitation (required for the invite flow)", "Please sign the lease.");
    }
    await expect(signers.getByText("All changes saved")).toBeVisible();
  }
  await expect(page.locator('.pdf-page canvas[data-page="1"][data-rendered="true"]')).toBeAttached({ timeout: 20_000 });
  await editor.dragField("Signature", "1. Ann de Vries", 120, 420);
  await editor.dragField("Signature", "2. Bob Jansen", 380, 420);
  await expect(editor.fields().getByText("All changes saved")).toBeVisible();
  const send = editor.section("5. Send");
  await expect(send.getByText("Everything is ready to send.")).toBeVisible();
  // Sent from the bar that stays in view.
  await page.getByRole("region", { name: "Sending" }).getByRole("button", { name: "Send for signing" }).click();
  await expect(page.getByRole("heading", { name: "Waiting for signers" })).toBeVisible({ timeout: 30_000 });
  return page.url();
}

/** Signs (or rejects) on the sandbox's signing page and returns the landing page. */
export async function signOnSandbox(signer: Page, reject?: string) {
  await expect(signer.getByRole("heading", { name: "Please review and sign" })).toBeVisible();
  // The documents' pages are drawn for the signer to read.
  const pages = signer.locator("canvas[data-pdf]");
  await expect(pages.first()).toHaveAttribute("data-rendered", "true");
  for (const page of await pages.all()) await expect(page).toHaveAttribute("data-rendered", "true");
  if (reject) {
    await signer.getByLabel("Reason for rejecting").fill(reject);
    await signer.getByRole("button", { name: "Reject" }).click();
  } else {
    await signer.getByRole("button", { name: "Sign", exact: true }).click();
  }
  // The last signature makes the sandbox produce the signed PDFs and the receipt.
  await expect(signer).toHaveURL(/\/return\?/, { timeout: 60_000 });
}
