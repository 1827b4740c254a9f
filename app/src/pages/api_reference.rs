//! "API reference": every operation of the native API, as `/api/openapi.json` describes it
//! (both come from the server functions' own types), for people writing scripts.

use leptos::either::Either;
use leptos::prelude::*;

use crate::api;
use crate::components::listing::Listing;
use crate::i18n::*;
use crate::load::load;

/// The operations in the order the document lists them, each with its arguments.
#[component]
pub fn ApiReferencePage() -> impl IntoView {
    let i18n = use_i18n();
    let operations = load(|| (), |_| api::api_reference());
    view! {
        <h1>{tu_string!(i18n, api_reference.title)}</h1>
        <p>
            {t!(
                i18n,
                api_reference.intro,
                <code> = <code />,
                <a> = <a href="/api/openapi.json" rel="external" />
            )}
        </p>
        <Listing rows=operations show={move |operations| view! {
            <nav class="api-index" aria-label=move || t_string!(i18n, api_reference.operations)>
                <ul>
                    {operations.iter().map(|op| {
                        let anchor = format!("#{}", op.name);
                        view! { <li><a href=anchor><code>{op.name.clone()}</code></a></li> }
                    }).collect_view()}
                </ul>
            </nav>
            {operations.into_iter().map(|op| view! {
                <section class="api-operation" id=op.name.clone() aria-labelledby=format!("{}-title", op.name)>
                    <h2 id=format!("{}-title", op.name)>
                        <code>{format!("{} {}", op.method, op.path)}</code>
                    </h2>
                    <p class="api-description">{op.description}</p>
                    <dl class="facts">
                        <dt>{tu_string!(i18n, api_reference.body)}</dt><dd><code>{op.content_type}</code></dd>
                        <dt>{tu_string!(i18n, api_reference.returns)}</dt><dd><code>{op.returns}</code></dd>
                        <dt>{tu_string!(i18n, api_reference.sign_in)}</dt>
                        <dd>{if op.signed_in {
                            t_string!(i18n, api_reference.session_or_access_key)
                        } else {
                            t_string!(i18n, api_reference.not_needed)
                        }}</dd>
                    </dl>
                    {if op.arguments.is_empty() {
                        Either::Left(view! { <p class="notice">{tu_string!(i18n, api_reference.no_arguments)}</p> })
                    } else {
                        Either::Right(view! {
                            <table class="api-arguments">
                                <caption>{tu_string!(i18n, api_reference.arguments)}</caption>
                                <thead>
                                    <tr>
                                        <th>{tu_string!(i18n, api_reference.column.name)}</th>
                                        <th>{tu_string!(i18n, api_reference.column.kind)}</th>
                                        <th>{tu_string!(i18n, api_reference.column.required)}</th>
                                        <th>{tu_string!(i18n, api_reference.column.meaning)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {op.arguments.into_iter().map(|a| view! {
                                        <tr>
                                            <td><code>{a.name}</code></td>
                                            <td><code>{a.kind}</code></td>
                                            <td>{if a.required {
                                                t_string!(i18n, api_reference.yes)
                                            } else {
                                                t_string!(i18n, api_reference.no)
                                            }}</td>
                                            <td>{a.description}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })
                    }}
                </section>
            }).collect_view()}
        }} />
    }
}
