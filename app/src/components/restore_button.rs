//! The button that makes a new resource from a backup ("Restore", "Create Server", "Create
//! Disk", "Restore Data to New Cluster"), with a project picker when the account has more
//! than one project in the backup's region. Used on "Backups" and "Shared With Me".

use std::collections::BTreeMap;
use std::future::Future;

use backshare::views::ProjectView;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::{self, RestoreBackup};
use crate::components::plain_form::field;
use crate::error::AppError;
use crate::i18n::*;

/// A page's rows with the account's projects, which its restore buttons offer: loaded side
/// by side, into the page's one resource (a resource and a list frame of their own would
/// compile their machinery again for one small list).
pub async fn with_projects<T>(
    rows: impl Future<Output = Result<T, AppError>>,
) -> Result<(T, Vec<ProjectView>), AppError> {
    let (rows, projects) = futures::future::join(rows, api::my_projects()).await;
    Ok((rows?, projects?))
}

/// One backup's restore action, a form of the restore server function. `picked` lives on
/// the page, so a chosen project survives the list being refetched; `explain` shows why
/// the button is disabled beside it.
#[component]
pub fn RestoreButton(
    backup_id: String,
    label: &'static str,
    region: String,
    blocked: Option<String>,
    projects: Vec<ProjectView>,
    picked: RwSignal<BTreeMap<String, String>>,
    action: ServerAction<RestoreBackup>,
    #[prop(optional)] explain: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let here: Vec<ProjectView> = projects
        .into_iter()
        .filter(|p| p.region == region)
        .collect();
    let picker = (here.len() > 1 && blocked.is_none()).then(|| {
        let key = backup_id.clone();
        let current = picked.with_untracked(|p| p.get(&key).cloned());
        view! {
            <select
                name="project_id"
                aria-label=t_string!(i18n, shared_with_me.restore.project_for, backup = backup_id.clone())
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    picked.update(|p| { p.insert(key.clone(), value); });
                }
            >
                {here.into_iter().map(|p| {
                    let selected = current.as_deref() == Some(p.id.as_str());
                    view! { <option value=p.id.to_string() selected=selected>{format!("{} ({})", p.name, p.id)}</option> }
                }).collect_view()}
            </select>
        }
    });
    let why = blocked.clone().filter(|_| explain);
    view! {
        // A plain form: it posts without JavaScript too (see `plain_form`).
        <form method="post" action=RestoreBackup::url() class="inline" on:submit=move |ev| {
            ev.prevent_default();
            action.dispatch(RestoreBackup {
                backup_id: field(&ev, "backup_id").unwrap_or_default(),
                project_id: field(&ev, "project_id"),
            });
        }>
            <input type="hidden" name="backup_id" value=backup_id/>
            {picker}
            <button type="submit" disabled=blocked.is_some() title=blocked.unwrap_or_default()>
                {label}
            </button>
        </form>
        {why.map(|why| view! { <br/><span class="muted small">{why}</span> })}
    }
}
