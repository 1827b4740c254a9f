//! One file per page of PRODUCT.md §4.

pub mod activity;
pub mod api_reference;
pub mod backup_details;
pub mod backups;
pub mod credentials;
pub mod my_shares;
pub mod resources;
pub mod shared_with_me;
pub mod sign_in;
pub mod vaults;
