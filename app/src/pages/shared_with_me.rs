//! "Shared With Me": pending invitations to answer, then the backups received.

use std::collections::BTreeMap;

use backshare::model::BackupKind;
use backshare::paging::PageLinks;
use backshare::views::{
    AnsweredInvitation, InvitationView, ProjectView, ReceivedBackup, SharedWithMe, VaultChoice,
};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::api::{
    self, AcceptInvitation, CopyIntoVault, RejectInvitation, RestoreBackup, RetryCopy,
};
use crate::components::changes::use_changes;
use crate::components::failure::{last_failure, ActionProblem};
use crate::components::listing::Listing;
use crate::components::pager::Pager;
use crate::components::plain_form::field;
use crate::components::restore_button::{with_projects, RestoreButton};
use crate::components::status_badge::StatusBadge;
use crate::components::status_news::{follow_statuses, Followed, StatusNews};
use crate::format;
use crate::i18n::*;
use crate::load::load;
use crate::reasons;
use crate::words;

/// Invitations with "Accept" and "Reject", and the received backups with their status.
#[component]
pub fn SharedWithMePage() -> impl IntoView {
    let i18n = use_i18n();
    let changed = use_changes();
    let accept = ServerAction::<AcceptInvitation>::new();
    let reject = ServerAction::<RejectInvitation>::new();
    let restore = ServerAction::<RestoreBackup>::new();
    let copy = ServerAction::<CopyIntoVault>::new();
    let retry = ServerAction::<RetryCopy>::new();
    // Vaults picked so far, by "<invitation or grant>/<backup>"; kept here so the page's
    // refreshes do not reset a choice.
    let picked = RwSignal::new(BTreeMap::<String, String>::new());
    // Projects picked for restores, by backup id.
    let projects_picked = RwSignal::new(BTreeMap::<String, String>::new());
    // Each table's page, as its links name it (`None`: the newest).
    let (pending_at, received_at, answered_at) = (
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None),
    );
    let page = load(
        move || {
            (
                (
                    changed.get(),
                    accept.version().get(),
                    reject.version().get(),
                    copy.version().get(),
                    retry.version().get(),
                ),
                (pending_at.get(), received_at.get(), answered_at.get()),
            )
        },
        |(_, (pending, received, answered))| {
            with_projects(api::shared_with_me(pending, received, answered))
        },
    );
    let problem = Signal::derive(move || {
        last_failure(accept.value().get())
            .or_else(|| last_failure(reject.value().get()))
            .or_else(|| last_failure(restore.value().get()))
            .or_else(|| last_failure(copy.value().get()))
            .or_else(|| last_failure(retry.value().get()))
    });
    let news = follow_statuses(page, followed);
    view! {
        <h1>{tu_string!(i18n, shared_with_me.title)}</h1>
        <StatusNews news/>
        <ActionProblem message=problem/>
        <Listing rows=page show={move |(page, projects): (SharedWithMe, Vec<ProjectView>)| view! {
                        <PendingInvitations invitations=page.pending links=page.pending_links at=pending_at accept reject picked/>
                        <ReceivedBackups
                            backups=page.received
                            links=page.received_links
                            at=received_at
                            picked
                            copy
                            retry
                            restore
                            projects=projects.clone()
                            projects_picked
                        />
                        <AnsweredInvitations invitations=page.answered links=page.answered_links at=answered_at/>
                    }
                }
        />
    }
}

/// "Pending invitations": each with its backups, vault pickers for copy-mode ones, and
/// "Accept" and "Reject" as plain forms.
#[component]
fn PendingInvitations(
    invitations: Vec<InvitationView>,
    links: PageLinks,
    at: RwSignal<Option<String>>,
    accept: ServerAction<AcceptInvitation>,
    reject: ServerAction<RejectInvitation>,
    picked: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="pending-title">
            <h2 id="pending-title">{tu_string!(i18n, shared_with_me.pending.title)}</h2>
            <Pager label=t_string!(i18n, shared_with_me.pending.pages) links at/>
            {if invitations.is_empty() {
                Either::Left(view! { <p class="notice">{tu_string!(i18n, shared_with_me.pending.empty)}</p> })
            } else {
                Either::Right(view! {
                    <table class="invitations">
                        <thead>
                            <tr>
                                <th>{tu_string!(i18n, shared_with_me.column.resource_share)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.from)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.backups)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.invited)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.answer_by)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {invitations.into_iter().map(|inv| {
                                let id = inv.id.to_string();
                                let accept_id = id.clone();
                                let reject_id = id.clone();
                                let form_id = format!("accept-{id}");
                                // The vault pickers' fields, which join the Accept form.
                                let vault_fields: Vec<(String, String)> = inv
                                    .vault_choices
                                    .iter()
                                    .map(|c| (c.backup_id.to_string(), vault_field(&c.backup_id)))
                                    .collect();
                                view! {
                                    <tr data-invitation=id>
                                        <td>{inv.share_name.clone()}</td>
                                        <td>{inv.owner_name.clone()}<br/><code>{inv.owner.to_string()}</code></td>
                                        <td>
                                            {inv.backups.into_iter().map(|(id, name)| view! {
                                                <div>{name}" "<code>{id.to_string()}</code></div>
                                            }).collect_view()}
                                            {inv.vault_choices.into_iter().map(|choice| view! {
                                                <VaultPicker choice owner=id.clone() picked/>
                                            }).collect_view()}
                                        </td>
                                        <td>{format::instant(inv.invited_at)}</td>
                                        <td>{format::instant(inv.expires_at)}</td>
                                        <td>
                                            // Plain forms: they post without JavaScript too, and the
                                            // vault pickers join the Accept form by its id.
                                            <form id=form_id method="post" action=AcceptInvitation::url() class="inline" on:submit=move |ev| {
                                                ev.prevent_default();
                                                accept.dispatch(AcceptInvitation {
                                                    invitation_id: field(&ev, "invitation_id").unwrap_or_default(),
                                                    vaults: Some(vault_fields.iter().filter_map(|(backup, name)| {
                                                        field(&ev, name).map(|vault| (backup.clone(), vault))
                                                    }).collect()),
                                                });
                                            }>
                                                <input type="hidden" name="invitation_id" value=accept_id/>
                                                <button
                                                    type="submit"
                                                    class="primary"
                                                    disabled=move || accept.pending().get() || reject.pending().get()
                                                >
                                                    {tu_string!(i18n, shared_with_me.pending.accept)}
                                                </button>
                                            </form>
                                            <form method="post" action=RejectInvitation::url() class="inline" on:submit=move |ev| {
                                                ev.prevent_default();
                                                reject.dispatch(RejectInvitation {
                                                    invitation_id: field(&ev, "invitation_id").unwrap_or_default(),
                                                });
                                            }>
                                                <input type="hidden" name="invitation_id" value=reject_id/>
                                                <button
                                                    type="submit"
                                                    disabled=move || accept.pending().get() || reject.pending().get()
                                                >
                                                    {tu_string!(i18n, shared_with_me.pending.reject)}
                                                </button>
                                            </form>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                })
            }}
        </section>
    }
}

/// "Received backups": status, the copy's vault and failure, and "Copy", "Retry" and the
/// restore.
#[component]
#[allow(clippy::too_many_arguments)]
fn ReceivedBackups(
    backups: Vec<ReceivedBackup>,
    links: PageLinks,
    at: RwSignal<Option<String>>,
    picked: RwSignal<BTreeMap<String, String>>,
    copy: ServerAction<CopyIntoVault>,
    retry: ServerAction<RetryCopy>,
    restore: ServerAction<RestoreBackup>,
    projects: Vec<ProjectView>,
    projects_picked: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="received-title">
            <h2 id="received-title">{tu_string!(i18n, shared_with_me.received.title)}</h2>
            <Pager label=t_string!(i18n, shared_with_me.received.pages) links at/>
            {if backups.is_empty() {
                Either::Left(view! { <p class="notice">{tu_string!(i18n, shared_with_me.received.empty)}</p> })
            } else {
                Either::Right(view! {
                    <table class="received">
                        <thead>
                            <tr>
                                <th>{tu_string!(i18n, shared_with_me.column.backup)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.kind)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.region)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.size)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.from)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.resource_share)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.expires)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.status)}</th>
                                <th>{tu_string!(i18n, shared_with_me.column.actions)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {backups.into_iter().map(|r| {
                                let grant_id = r.grant_id.to_string();
                                let retry_id = grant_id.clone();
                                view! {
                                <tr data-backup=r.backup_id.to_string()>
                                    <td>{r.backup_name.clone()}<br/><code>{r.backup_id.to_string()}</code></td>
                                    <td>{words::backup_kind(i18n.get_locale_untracked(), r.kind)}</td>
                                    <td>{r.region.clone()}</td>
                                    <td>{format::bytes(r.size_bytes)}</td>
                                    <td>{r.owner_name.clone()}<br/><code>{r.owner.to_string()}</code></td>
                                    <td>{r.share_name.clone()}</td>
                                    <td>{r.expires_at.map(format::instant).unwrap_or_default()}</td>
                                    <td>
                                        <StatusBadge status=r.status/>
                                        {r.copy.as_ref().map(|c| view! {
                                            <div class="muted small">
                                                {if c.encrypted {
                                                    t_string!(i18n, shared_with_me.received.copy_in_encrypted, vault = c.vault_name.clone())
                                                } else {
                                                    t_string!(i18n, shared_with_me.received.copy_in, vault = c.vault_name.clone())
                                                }}
                                            </div>
                                        })}
                                        {r.copy.as_ref().and_then(|c| c.copy.failure).map(|why| view! {
                                            <div class="error small">{reasons::transfer_failure(i18n.get_locale_untracked(), why)}</div>
                                        })}
                                    </td>
                                    <td>
                                        {r.vault_choice.clone().map(|choice| {
                                            let grant = grant_id.clone();
                                            let chosen = choice.clone();
                                            view! {
                                                <VaultPicker choice owner=grant_id.clone() picked/>
                                                <button
                                                    type="button"
                                                    on:click=move |_| {
                                                        if let Some(vault_id) = picked_vault(picked, &grant, &chosen) {
                                                            copy.dispatch(CopyIntoVault { grant_id: grant.clone(), vault_id });
                                                        }
                                                    }
                                                >
                                                    {tu_string!(i18n, shared_with_me.received.copy)}
                                                </button>
                                            }
                                        })}
                                        {r.copy.as_ref().is_some_and(|c| c.copy.failure.is_some()).then(|| view! {
                                            <button
                                                type="button"
                                                on:click=move |_| { retry.dispatch(RetryCopy { grant_id: retry_id.clone() }); }
                                            >
                                                {tu_string!(i18n, shared_with_me.received.retry)}
                                            </button>
                                        })}
                                        <RestoreButton
                                            backup_id=r.backup_id.to_string()
                                            label=restore_label(i18n.get_locale_untracked(), r.kind)
                                            region=r.region.clone()
                                            blocked=r.restore_blocked.as_ref().map(|p| reasons::problem(i18n.get_locale_untracked(), p))
                                            projects=projects.clone()
                                            picked=projects_picked
                                            action=restore
                                            explain=true
                                        />
                                    </td>
                                </tr>
                            }}).collect_view()}
                        </tbody>
                    </table>
                })
            }}
        </section>
    }
}

/// "Answered invitations": those that ended without being accepted (only when there are).
#[component]
fn AnsweredInvitations(
    invitations: Vec<AnsweredInvitation>,
    links: PageLinks,
    at: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {(!invitations.is_empty()).then(|| view! {
            <section aria-labelledby="answered-title">
                <h2 id="answered-title">{tu_string!(i18n, shared_with_me.answered.title)}</h2>
                <Pager label=t_string!(i18n, shared_with_me.answered.pages) links at/>
                <table class="answered">
                    <thead>
                        <tr>
                            <th>{tu_string!(i18n, shared_with_me.column.resource_share)}</th>
                            <th>{tu_string!(i18n, shared_with_me.column.from)}</th>
                            <th>{tu_string!(i18n, shared_with_me.column.status)}</th>
                            <th>{tu_string!(i18n, shared_with_me.column.when)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {invitations.into_iter().map(|a| view! {
                            <tr data-invitation=a.id.to_string()>
                                <td>{a.share_name.clone()}</td>
                                <td>{a.owner_name.clone()}<br/><code>{a.owner.to_string()}</code></td>
                                <td><StatusBadge status=a.status/></td>
                                <td>{format::instant(a.at)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
    }
}

/// The form field of the vault picked for a backup: `vaults[<backup id>]`, as the
/// server function reads it.
fn vault_field(backup_id: &backshare::ids::BackupId) -> String {
    format!("vaults[{backup_id}]")
}

/// The vault picked for a backup under `owner` (an invitation or a grant): the user's
/// choice, or else the first vault that qualifies.
fn picked_vault(
    picked: RwSignal<BTreeMap<String, String>>,
    owner: &str,
    choice: &VaultChoice,
) -> Option<String> {
    let key = format!("{owner}/{}", choice.backup_id);
    picked.with_untracked(|p| p.get(&key).cloned()).or_else(|| {
        choice
            .options
            .iter()
            .find(|o| o.refusal.is_none())
            .map(|o| o.vault_id.clone())
    })
}

/// "Vault for <backup>": the account's vaults, those that cannot take the copy disabled
/// with the reason.
#[component]
fn VaultPicker(
    choice: VaultChoice,
    owner: String,
    picked: RwSignal<BTreeMap<String, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let key = format!("{owner}/{}", choice.backup_id);
    let current = picked_vault(picked, &owner, &choice).unwrap_or_default();
    let label = t_string!(
        i18n,
        shared_with_me.vault_picker.label,
        backup = choice.backup_name.clone()
    );
    let text = t_string!(
        i18n,
        shared_with_me.vault_picker.label_with_size,
        backup = choice.backup_name.clone(),
        size = format::bytes(choice.size_bytes)
    );
    let none_fits = choice.options.iter().all(|o| o.refusal.is_some());
    view! {
        <label class="vault-picker">
            {text}
            <select
                aria-label=label
                name=vault_field(&choice.backup_id)
                form=format!("accept-{owner}")
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    picked.update(|p| { p.insert(key.clone(), value); });
                }
            >
                {choice.options.into_iter().map(|o| {
                    let text = match &o.refusal {
                        None => t_string!(
                            i18n,
                            shared_with_me.vault_picker.option,
                            name = o.name.clone(),
                            free = format::bytes(o.free_bytes)
                        ),
                        Some(why) => t_string!(
                            i18n,
                            shared_with_me.vault_picker.option_refused,
                            name = o.name.clone(),
                            reason = reasons::problem(i18n.get_locale_untracked(), why)
                        ),
                    };
                    view! {
                        <option value=o.vault_id.clone() disabled=o.refusal.is_some() selected=o.vault_id == current>
                            {text}
                        </option>
                    }
                }).collect_view()}
            </select>
        </label>
        {none_fits.then(|| view! { <p class="error small">{tu_string!(i18n, shared_with_me.vault_picker.none_fits)}</p> })}
    }
}

/// Shared With Me follows each received backup (an accepted share being cancelled, a copy
/// finishing, an original lost).
/// Called from the follower's effect, under this page's owner, so the language context is
/// at hand.
fn followed((page, _projects): &(SharedWithMe, Vec<ProjectView>)) -> Vec<Followed> {
    let locale = crate::language::current();
    page.received
        .iter()
        .map(|row| Followed {
            key: row.grant_id.to_string(),
            subject: td_string!(
                locale,
                shared_with_me.news_subject,
                backup = row.backup_name.clone(),
                owner = row.owner_name.clone()
            ),
            status: row.status,
        })
        .collect()
}

/// The button that makes a new resource from a backup of this kind.
fn restore_label(locale: Locale, kind: BackupKind) -> &'static str {
    match kind {
        BackupKind::ServerBackup => td_string!(locale, shared_with_me.restore.action.server_backup),
        BackupKind::DiskBackup => td_string!(locale, shared_with_me.restore.action.disk_backup),
        BackupKind::ClusterBackup => {
            td_string!(locale, shared_with_me.restore.action.cluster_backup)
        }
        BackupKind::FileBackup => td_string!(locale, shared_with_me.restore.action.file_backup),
    }
}
