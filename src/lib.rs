//! Backshare's domain: the words of `PRODUCT.md` as types, the sharing rules and the
//! invitation and grant state machines as pure functions, and (behind the `server`
//! feature) their storage, services, background jobs and the demo.
//!
//! Without features this crate compiles to wasm, so the browser shares the same ids,
//! views and status words as the server.

pub mod arn;
pub mod conflict;
pub mod copy;
pub mod error;
pub mod grant;
pub mod ids;
pub mod input;
pub mod instant;
pub mod invitation;
pub mod model;
pub mod paging;
pub mod rules;
pub mod units;
pub mod views;

#[cfg(feature = "server")]
pub mod activity;
#[cfg(feature = "server")]
pub mod crypto;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod demo;
#[cfg(feature = "server")]
pub mod objects;
#[cfg(feature = "server")]
pub mod password;
#[cfg(feature = "server")]
pub mod service;
#[cfg(feature = "server")]
pub mod store;

pub use error::UserError;
