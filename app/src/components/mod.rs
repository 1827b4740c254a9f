//! Reusable pieces of the pages.

pub mod changes;
pub mod confirm_button;
pub mod failure;
pub mod listing;
pub mod modal;
pub mod nav;
pub mod pager;
pub mod plain_form;
pub mod restore_button;
pub mod restores;
pub mod share_dialog;
pub mod status_badge;
pub mod status_news;
