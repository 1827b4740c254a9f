//! "My Credentials": what another account needs to share with this one.

use leptos::prelude::*;

use crate::api;
use crate::components::listing::Listing;

/// The account id and its projects per region.
#[component]
pub fn CredentialsPage() -> impl IntoView {
    let credentials = Resource::new(|| (), |_| api::credentials());
    view! {
        <h1>"My Credentials"</h1>
        <Listing rows=credentials show={move |c| view! {
                    <dl class="facts">
                        <dt>"Account ID"</dt>
                        <dd><code data-testid="account-id">{c.account_id.to_string()}</code></dd>
                        <dt>"Account"</dt>
                        <dd>{c.account_name.clone()}</dd>
                        <dt>"Site"</dt>
                        <dd>{c.site.as_str()}</dd>
                        <dt>"Signed in as"</dt>
                        <dd>{format!("{} ({})", c.email, c.role.as_str())}</dd>
                    </dl>
                    <h2>"Projects"</h2>
                    <table>
                        <thead>
                            <tr><th>"Project ID"</th><th>"Name"</th><th>"Region"</th></tr>
                        </thead>
                        <tbody>
                            {c.projects.into_iter().map(|p| view! {
                                <tr>
                                    <td><code>{p.id.to_string()}</code></td>
                                    <td>{p.name}</td>
                                    <td>{p.region}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }
        />
    }
}
