import { expect, test } from "@playwright/test";
import { BOB, browserFor } from "./helpers";

test("My Credentials: an access key is created, its secret shown once, then deactivated and deleted", async ({ browser }) => {
  const bob = await browserFor(browser, BOB);
  const page = bob.page;
  await page.locator("summary", { hasText: "bob@acme-east.example" }).click();
  await page.getByRole("link", { name: "My Credentials" }).click();
  await expect(page.getByRole("heading", { name: "Access keys" })).toBeVisible();

  await page.getByRole("button", { name: "Create access key" }).click();
  const created = page.getByRole("status", { name: "New access key" });
  await expect(created).toContainText("not shown again");
  const id = (await page.getByTestId("new-key-id").textContent()) ?? "";
  expect(id).toMatch(/^BKSH[0-9A-F]{16}$/);
  expect(((await page.getByTestId("new-key-secret").textContent()) ?? "").length).toBe(40);
  const row = page.locator("table.access-keys tr", { hasText: id });
  await expect(row).toContainText("Active");
  await expect(row).toContainText("Never");

  // After a reload the secret is gone for good; the key is listed.
  await page.reload();
  await expect(row).toContainText("Active");
  await expect(page.getByTestId("new-key-secret")).toHaveCount(0);

  await row.getByRole("button", { name: "Deactivate" }).click();
  await expect(row).toContainText("Inactive");
  await row.getByRole("button", { name: "Delete" }).click();
  await row.getByRole("button", { name: "Confirm" }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByText("You have no access keys.")).toBeVisible();
  await bob.context.close();
});
