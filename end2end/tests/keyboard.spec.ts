import { expect, test } from "@playwright/test";
import { ALICE, ORDERS, PASSWORD, signIn, uniqueName } from "./helpers";

/** Where focus is: inside the share dialog, or which button. */
async function focusIn(page: import("@playwright/test").Page) {
  return page.evaluate(() => {
    const active = document.activeElement;
    return {
      inDialog: !!active?.closest("dialog[open]"),
      text: active?.textContent?.trim() ?? "",
      row: active?.closest("tr")?.textContent ?? "",
    };
  });
}

test("from the keyboard alone: sign in, open the share dialog, add a principal, OK; Escape gives focus back", async ({ page }) => {
  await page.goto("/signin");
  await page.locator("body[data-hydrated]").waitFor();
  await page.getByLabel("Email").focus();
  await page.keyboard.type(ALICE);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Backups" })).toBeVisible();
  await page.locator("body[data-hydrated]").waitFor();

  // Enter on "Share Backups" opens the dialog modally: focus moves into it and Tab stays there.
  const opener = page.locator("tr", { hasText: ORDERS }).getByRole("button", { name: "Share Backups" });
  await opener.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Share Backups" });
  await expect(dialog).toBeVisible();
  await expect.poll(async () => (await focusIn(page)).inDialog).toBe(true);
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press("Tab");
    expect((await focusIn(page)).inDialog, `Tab ${i + 1} stays in the dialog`).toBe(true);
  }

  // Escape closes it and focus is back on the button that opened it.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect.poll(async () => focusIn(page)).toMatchObject({ inDialog: false, text: "Share Backups" });
  expect((await focusIn(page)).row).toContain(ORDERS);

  // Again, and through: name, a principal, "Add", "OK" — all typed and pressed.
  await opener.focus();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Resource share name").focus();
  await page.keyboard.type(uniqueName("keyboard"));
  await dialog.getByLabel("Principal", { exact: true }).focus();
  await page.keyboard.type("1840000000000002");
  await dialog.getByRole("button", { name: "Add", exact: true }).focus();
  await page.keyboard.press("Enter");
  await expect(dialog.getByRole("list", { name: "Principals" })).toContainText("1840000000000002");
  await dialog.getByRole("button", { name: "OK" }).focus();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
});

test("a confirm is a modal dialog: the way back has focus, Escape keeps the backup, focus returns", async ({
  page,
}) => {
  await signIn(page, ALICE);
  const row = page.locator("tr", { hasText: ORDERS });
  const remove = row.getByRole("button", { name: "Delete" });
  await remove.focus();
  await page.keyboard.press("Enter");
  const confirm = page.getByRole("dialog", { name: /^Delete .+\? Recipients lose access\.$/ });
  await expect(confirm).toBeVisible();
  // Enter alone never deletes: the safe answer has focus first.
  await expect(confirm.getByRole("button", { name: "Keep" })).toBeFocused();
  // Tab stays inside: "Keep" is last, so Tab wraps to "Confirm".
  await page.keyboard.press("Tab");
  await expect(confirm.getByRole("button", { name: "Confirm" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(confirm).toHaveCount(0);
  await expect(remove).toBeFocused();
  await expect(row).toBeVisible();
});
