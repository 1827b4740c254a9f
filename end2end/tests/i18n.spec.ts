import { expect, test, type Browser, type Page } from "@playwright/test";
import { ALICE, BOB, ORDERS, PASSWORD, ready, uniqueName } from "./helpers";
import { BROWSER_LOCALE, tr, type Lang } from "./i18n";

const ALICE_ACCOUNT = "1840000000000001";
const BOB_ACCOUNT = "1840000000000002";

/** Signs in through the form as a reader of `lang` sees it. */
async function signInAs(page: Page, lang: Lang, email: string) {
  await page.goto("/signin");
  await ready(page);
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  await page.getByLabel(tr(lang, "sign_in.email")).fill(email);
  await page.getByLabel(tr(lang, "sign_in.password")).fill(PASSWORD);
  await page.getByRole("button", { name: tr(lang, "sign_in.submit") }).click();
  await expect(page.getByRole("heading", { name: tr(lang, "backups.title") })).toBeVisible();
  await ready(page);
}

/** A page in a context of its own whose browser asks for `lang` first. */
async function readerOf(browser: Browser, lang: Lang, email: string) {
  const context = await browser.newContext({ locale: BROWSER_LOCALE[lang] });
  const page = await context.newPage();
  await signInAs(page, lang, email);
  return { context, page };
}

/** Follows a link of the navigation bar, named in `lang`. */
async function openPage(page: Page, lang: Lang, key: "backups" | "my_shares" | "shared_with_me" | "activity") {
  const name = tr(lang, `nav.${key}`);
  await page.getByRole("navigation").getByRole("link", { name, exact: false }).first().click();
  await expect(page.getByRole("heading", { name: tr(lang, `${key}.title`), exact: true })).toBeVisible();
}

test("readers whose browsers ask for Chinese share, accept and watch the status change, all in Chinese", async ({ browser }) => {
  const zh = "zh" as const;
  const alice = await readerOf(browser, zh, ALICE);
  const bob = await readerOf(browser, zh, BOB);

  const shareName = uniqueName("zh-share");
  const row = alice.page.locator("tr", { hasText: ORDERS });
  await row.getByRole("button", { name: tr(zh, "backups.share_backups") }).click();
  const dialog = alice.page.getByRole("dialog", { name: tr(zh, "share_dialog.title_share") });
  await dialog.getByLabel(tr(zh, "share_dialog.method.new")).check();
  await dialog.getByLabel(tr(zh, "share_dialog.name_label")).fill(shareName);
  await dialog.getByLabel(tr(zh, "share_dialog.principal_label"), { exact: true }).fill(BOB_ACCOUNT);
  await dialog.getByRole("button", { name: tr(zh, "share_dialog.add"), exact: true }).click();
  await expect(dialog.getByRole("list", { name: tr(zh, "share_dialog.principals_label") })).toContainText(BOB_ACCOUNT);
  await expect(dialog.getByText(tr(zh, "share_dialog.all_allowed"))).toBeVisible();
  await dialog.getByRole("button", { name: tr(zh, "common.ok") }).click();
  await expect(dialog).toBeHidden();
  await expect(row.locator("td.attribute")).toHaveText(tr(zh, "backups.sharing"));

  await openPage(alice.page, zh, "my_shares");
  const aliceRow = alice.page.locator("tr", { hasText: shareName });
  await expect(aliceRow.locator(".status")).toHaveText(tr(zh, "common.status.pending"));

  await openPage(bob.page, zh, "shared_with_me");
  const pending = bob.page
    .getByRole("region", { name: tr(zh, "shared_with_me.pending.title") })
    .locator("tr", { hasText: shareName });
  await pending.getByRole("button", { name: tr(zh, "shared_with_me.pending.accept") }).click();
  await expect(pending).toHaveCount(0);

  // Alice's page stayed open: the pushed change arrives, and is announced, in Chinese.
  const accepted = tr(zh, "common.status.accepted");
  await expect(aliceRow.locator(".status")).toHaveText(accepted);
  const news = alice.page.getByRole("status", { name: tr(zh, "common.status_changes") });
  await expect(news).toContainText(`${tr(zh, "common.status.pending")} → ${accepted}`);

  // A refusal reads in Chinese too: the rule check names it in the reader's language.
  await openPage(alice.page, zh, "backups");
  await row.getByRole("button", { name: tr(zh, "backups.share_backups") }).click();
  await dialog.getByLabel(tr(zh, "share_dialog.method.new")).check();
  await dialog.getByLabel(tr(zh, "share_dialog.name_label")).fill(uniqueName("zh-self"));
  await dialog.getByLabel(tr(zh, "share_dialog.principal_label"), { exact: true }).fill(ALICE_ACCOUNT);
  await dialog.getByRole("button", { name: tr(zh, "share_dialog.add"), exact: true }).click();
  const check = dialog.getByRole("status", { name: tr(zh, "share_dialog.rule_check_label") });
  await expect(check).toContainText(tr(zh, "refusals.self_share"));

  // Input the dialog cannot use is named in Chinese: a typo caught in the browser...
  await dialog.getByLabel(tr(zh, "share_dialog.principal_label"), { exact: true }).fill("12345");
  await dialog.getByRole("button", { name: tr(zh, "share_dialog.add"), exact: true }).click();
  await expect(dialog.getByRole("alert")).toHaveText(tr(zh, "refusals.bad_input.not_account_id", { text: "12345" }));
  // ...and one the server refuses: the name of the share made above is taken.
  await dialog
    .getByRole("list", { name: tr(zh, "share_dialog.principals_label") })
    .getByRole("listitem")
    .filter({ hasText: ALICE_ACCOUNT })
    .getByRole("button", { name: tr(zh, "share_dialog.remove") })
    .click();
  await dialog.getByLabel(tr(zh, "share_dialog.name_label")).fill(shareName);
  await dialog.getByLabel(tr(zh, "share_dialog.principal_label"), { exact: true }).fill(BOB_ACCOUNT);
  await dialog.getByRole("button", { name: tr(zh, "share_dialog.add"), exact: true }).click();
  await dialog.getByRole("button", { name: tr(zh, "common.ok") }).click();
  await expect(dialog.getByRole("alert")).toHaveText(tr(zh, "refusals.bad_input.share_name_taken", { name: shareName }));
  await dialog.getByRole("button", { name: tr(zh, "common.cancel") }).click();
  await expect(dialog).toBeHidden();

  // Activity keeps the refused attempt, and says why in Chinese too.
  await openPage(alice.page, zh, "activity");
  const refusedLine = alice.page.locator("tr", { hasText: tr(zh, "refusals.bad_input.share_name_taken", { name: shareName }) });
  await expect(refusedLine).toHaveCount(1);

  await alice.context.close();
  await bob.context.close();
});

test("the header's language choice holds on every page and after a reload, and English comes back", async ({ browser }) => {
  const context = await browser.newContext({ locale: BROWSER_LOCALE.en });
  const page = await context.newPage();
  await signInAs(page, "en", ALICE);

  const choice = page.getByRole("form", { name: tr("en", "nav.language") });
  await choice.getByRole("button", { name: "中文" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh");
  await expect(page.getByRole("heading", { name: tr("zh", "backups.title") })).toBeVisible();
  await ready(page);

  await openPage(page, "zh", "my_shares");
  await page.reload();
  await expect(page.getByRole("heading", { name: tr("zh", "my_shares.title") })).toBeVisible();
  await expect(
    page.getByRole("form", { name: tr("zh", "nav.language") }).getByRole("button", { name: "中文" }),
  ).toHaveAttribute("aria-current", "true");

  await ready(page);
  await page.getByRole("form", { name: tr("zh", "nav.language") }).getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("heading", { name: "My Shares" })).toBeVisible();
  await context.close();
});
