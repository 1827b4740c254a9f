//! The services against a fresh database (with the demo) per test: every command as the
//! owner, the recipient, another tenant and a viewer, and every rule. SQLite by default,
//! PostgreSQL with `BACKSHARE_TEST_POSTGRES`; bytes in an S3 bucket of each test's own
//! instead of the data folder with `BACKSHARE_TEST_S3` (and `--features s3`).

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
