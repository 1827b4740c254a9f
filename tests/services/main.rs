//! The services against a fresh SQLite database (with the demo) per test: every command as
//! the owner, the recipient, another tenant and a viewer, and every rule the skeleton enforces.

mod accounts;
mod concurrency;
mod copies;
mod folders;
mod invitations;
mod lifecycle;
mod paging;
mod restores;
mod sharing;
mod world;
