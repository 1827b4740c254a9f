//! "API reference": every operation of the native API, as `/api/openapi.json` describes it
//! (both come from the server functions' own types), for people writing scripts.

use leptos::prelude::*;

use crate::api;
use crate::components::listing::Listing;

/// The operations in the order the document lists them, each with its arguments.
#[component]
pub fn ApiReferencePage() -> impl IntoView {
    let operations = Resource::new(|| (), |_| api::api_reference());
    view! {
        <h1>"API reference"</h1>
        <p>
            "Every action of these pages is an HTTP endpoint. Call it with your session, or "
            "sign the request with an access key from My Credentials (AWS Signature Version 4, "
            "service " <code>"backshare"</code> "). Failures answer with "
            <code>"{\"code\", \"message\"}"</code> " and the HTTP status of their kind. "
            "Sharing itself also speaks AWS RAM at " <code>"/ram"</code> ". "
            <a href="/api/openapi.json" rel="external">"OpenAPI 3.1 document"</a>
        </p>
        <Listing rows=operations show={move |operations| view! {
            <nav class="api-index" aria-label="Operations">
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
                        <dt>"Body"</dt><dd><code>{op.content_type}</code></dd>
                        <dt>"Returns"</dt><dd><code>{op.returns}</code></dd>
                        <dt>"Sign-in"</dt>
                        <dd>{if op.signed_in { "Session or access key" } else { "Not needed" }}</dd>
                    </dl>
                    {if op.arguments.is_empty() {
                        view! { <p class="notice">"No arguments."</p> }.into_any()
                    } else {
                        view! {
                            <table class="api-arguments">
                                <caption>"Arguments"</caption>
                                <thead>
                                    <tr><th>"Name"</th><th>"Type"</th><th>"Required"</th><th>"Meaning"</th></tr>
                                </thead>
                                <tbody>
                                    {op.arguments.into_iter().map(|a| view! {
                                        <tr>
                                            <td><code>{a.name}</code></td>
                                            <td><code>{a.kind}</code></td>
                                            <td>{if a.required { "Yes" } else { "No" }}</td>
                                            <td>{a.description}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                </section>
            }).collect_view()}
        }.into_any()} />
    }
}
