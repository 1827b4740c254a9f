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

test("The API reference lists every operation with its arguments, from My Credentials", async ({ browser }) => {
  const bob = await browserFor(browser, BOB);
  const page = bob.page;
  await page.locator("summary", { hasText: "bob@acme-east.example" }).click();
  await page.getByRole("link", { name: "My Credentials" }).click();
  await page.getByRole("link", { name: "API reference" }).last().click();
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  const accept = page.getByRole("region", { name: "POST /api/accept_invitation" });
  await page.getByRole("navigation", { name: "Operations" }).getByRole("link", { name: "accept_invitation" }).click();
  await expect(accept).toBeInViewport();
  await expect(accept.getByRole("row", { name: /invitation_id/ })).toContainText("Yes");
  await expect(accept).toContainText("Session or access key");
  // The document the page is made from is one link away, and it is the same list.
  const doc = await (await page.request.get("/api/openapi.json")).json();
  const sections = await page.locator("section.api-operation").count();
  expect(sections).toBe(Object.keys(doc.paths).length);
  await bob.context.close();
});
