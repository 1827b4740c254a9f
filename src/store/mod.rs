//! One home for each table group's SQL: every module owns its tables' row types (read
//! with `query_as` into `FromRow` structs) and their statements. Services compose them
//! inside their transactions and never spell a column list of their own.
//!
//! Columns decode straight into the domain's types: ids and stored words implement
//! sqlx's `Type`, `Decode` and `Encode` for the `Any` driver (see [`text_column`]), and
//! [`Flag`] reads a boolean whichever way the backend returns it.

use sqlx::any::{AnyTypeInfo, AnyTypeInfoKind, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Any, Decode, Type};

pub mod access_keys;
pub mod accounts;
pub mod activity;
pub mod backups;
pub mod client_tokens;
pub mod directories;
pub mod grants;
pub mod invitations;
pub mod listings;
pub mod reach;
pub mod resources;
pub mod restores;
pub mod shares;
pub mod sign_ins;
pub mod vaults;

/// `$first, $first+1, …` for `count` values bound in order (an `IN (…)` list: the `Any`
/// driver binds no arrays).
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Implements sqlx's column traits for a type stored as text: `$decode` turns the text
/// back into the type (`None` for text no value of it has), `as_str` writes it.
macro_rules! text_column {
    ($name:ty, $decode:expr) => {
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                let decode: fn(&str) -> Option<$name> = $decode;
                decode(&text)
                    .ok_or_else(|| format!("{text:?} is not a stored {}", stringify!($name)).into())
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, sqlx::Any>>::encode(self.as_str().to_owned(), buf)
            }
        }

        impl From<$name> for crate::db::Value {
            fn from(value: $name) -> Self {
                crate::db::Value::from(value.as_str())
            }
        }
    };
}
pub(crate) use text_column;

/// Binds a keyset page's cursor (its time, then its id) after a query's own arguments,
/// where [`crate::paging::PageAt::sql`] placed them; the first page binds none.
pub fn after_cursor<'q, O>(
    query: sqlx::query::QueryAs<'q, Any, O, sqlx::any::AnyArguments<'q>>,
    at: &'q crate::paging::PageAt,
) -> sqlx::query::QueryAs<'q, Any, O, sqlx::any::AnyArguments<'q>> {
    match at.cursor() {
        Some(cursor) => query.bind(cursor.at).bind(cursor.id.as_str()),
        None => query,
    }
}

/// Optional text filters of a listing (`AND col = $n`, `AND col IN (…)`), numbered after
/// the statement's fixed binds; the keyset cursor's two come after them.
#[derive(Debug, Default)]
pub struct Filters {
    pub sql: String,
    /// The next free `$n`: where the cursor's binds start.
    pub next: usize,
    values: Vec<String>,
}

impl Filters {
    /// Filters whose first bind is `$first`.
    pub fn starting_at(first: usize) -> Self {
        Self {
            next: first,
            ..Self::default()
        }
    }

    /// `column = value`, when there is a value.
    pub fn equal(mut self, column: &str, value: Option<&str>) -> Self {
        if let Some(value) = value {
            self.sql
                .push_str(&format!(" AND {column} = ${}", self.next));
            self.next += 1;
            self.values.push(value.to_owned());
        }
        self
    }

    /// `column IN (values)`, when there are values.
    pub fn one_of(mut self, column: &str, values: &[String]) -> Self {
        if !values.is_empty() {
            let list = placeholders(self.next, values.len());
            self.sql.push_str(&format!(" AND {column} IN ({list})"));
            self.next += values.len();
            self.values.extend(values.iter().cloned());
        }
        self
    }

    /// Binds the filters' values, in order.
    pub fn bind<'q, O>(
        &self,
        mut query: sqlx::query::QueryAs<'q, Any, O, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, Any, O, sqlx::any::AnyArguments<'q>> {
        for value in &self.values {
            query = query.bind(value.clone());
        }
        query
    }
}

/// A boolean column or expression: PostgreSQL returns a boolean, SQLite an integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flag(pub bool);

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as Type<Any>>::type_info()
    }
    fn compatible(ty: &AnyTypeInfo) -> bool {
        ty.kind == AnyTypeInfoKind::Bool || ty.kind.is_integer()
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        match <bool as Decode<Any>>::decode(value.clone()) {
            Ok(flag) => Ok(Flag(flag)),
            Err(_) => Ok(Flag(<i64 as Decode<Any>>::decode(value)? != 0)),
        }
    }
}
