import { readFileSync } from "node:fs";
import path from "node:path";

/** The console's languages. */
export type Lang = "en" | "zh";

/** The browser locale that makes a new visitor's `Accept-Language` ask for `lang`. */
export const BROWSER_LOCALE: Record<Lang, string> = { en: "en-US", zh: "zh-CN" };

/** The sentence `key` ("namespace.key.subkey") of `lang`, read from the app's own
 *  translation files, with its `{{ values }}` filled in: tests find what a reader of that
 *  language sees, without a second copy of the translations. */
export function tr(lang: Lang, key: string, values: Record<string, string | number> = {}): string {
  const [namespace, ...path_] = key.split(".");
  const file = path.join(__dirname, "..", "..", "app", "locales", lang, `${namespace}.json`);
  let node: unknown = JSON.parse(readFileSync(file, "utf8"));
  for (const part of path_) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== "string") throw new Error(`no ${lang} sentence ${key}`);
  return node.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`${key} needs {{ ${name} }}`);
    return String(values[name]);
  });
}
