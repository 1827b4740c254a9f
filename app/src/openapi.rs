//! The native API's OpenAPI 3.1 document (`/api/openapi.json`) and the summary the "API
//! reference" page shows. Both are derived from the server functions themselves: each
//! operation's path and request encoding from its `ServerFn` impl, its arguments' and
//! result's JSON Schemas from their `ToSchema` derives, its description from its doc
//! comment. Nothing here is written per operation but its name in `operations!`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One operation as the reference page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiOperation {
    /// The endpoint's name, e.g. `create_share`.
    pub name: String,
    /// `POST /api/create_share`.
    pub method: String,
    pub path: String,
    /// The request body's media type.
    pub content_type: String,
    /// The server function's doc comment.
    pub description: String,
    pub arguments: Vec<ApiField>,
    /// The result's type, in words (`MySharesPage`, `list of ProjectView`, `nothing`).
    pub returns: String,
    /// Whether the caller must be signed in (a session or an access key).
    pub signed_in: bool,
}

/// One argument of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ApiField {
    pub name: String,
    /// The type in words, e.g. `string`, `list of string`, `one of: Account, Directory`.
    pub kind: String,
    pub required: bool,
    pub description: String,
}

#[cfg(feature = "ssr")]
pub use on_server::{document, reference};

#[cfg(feature = "ssr")]
mod on_server {
    use leptos::server_fn::codec::Encoding;
    use leptos::server_fn::{Http, ServerFn};
    use std::collections::BTreeMap;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::schema::{ArrayItems, ObjectBuilder, Schema, SchemaType, Type};
    use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
    use utoipa::openapi::{
        ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, RefOr, Required,
        ResponseBuilder,
    };
    use utoipa::{PartialSchema, ToSchema};

    use super::{ApiField, ApiOperation};
    use crate::api;
    use crate::error::AppError;

    /// The operations that answer without a signed-in caller.
    const PUBLIC: &[&str] = &["sign_in", "me", "api_reference"];

    /// The media type a server function's request body is encoded with.
    trait RequestEncoding {
        const CONTENT_TYPE: &'static str;
        /// The HTTP method, as a word (`POST`).
        fn method() -> &'static str;
    }

    // Only for functions that answer through `crate::wire` (`output = crate::wire::Answer`):
    // one that did not would answer the pages JSON they cannot read, and is refused here,
    // where every server function is listed.
    impl<I: Encoding> RequestEncoding for Http<I, crate::wire::Answer> {
        const CONTENT_TYPE: &'static str = I::CONTENT_TYPE;
        fn method() -> &'static str {
            match I::METHOD.as_str() {
                "GET" => "GET",
                "PUT" => "PUT",
                "PATCH" => "PATCH",
                "DELETE" => "DELETE",
                _ => "POST",
            }
        }
    }

    fn http_method(word: &str) -> HttpMethod {
        match word {
            "GET" => HttpMethod::Get,
            "PUT" => HttpMethod::Put,
            "PATCH" => HttpMethod::Patch,
            "DELETE" => HttpMethod::Delete,
            _ => HttpMethod::Post,
        }
    }

    /// One server function, described from its types.
    struct Described {
        name: String,
        path: String,
        method: &'static str,
        content_type: &'static str,
        arguments: RefOr<Schema>,
        output: RefOr<Schema>,
        /// The result's Rust type, in words for the page.
        returns: String,
        /// The schemas the two above refer to, by name.
        referenced: Vec<(String, RefOr<Schema>)>,
    }

    fn describe<F>() -> Described
    where
        F: ServerFn + ToSchema,
        F::Output: ToSchema,
        F::Protocol: RequestEncoding,
    {
        let mut referenced = Vec::new();
        F::schemas(&mut referenced);
        <F::Output as ToSchema>::schemas(&mut referenced);
        // A result that is a struct of its own is named (`SharedWithMe`); lists, options
        // and plain values stay inline.
        let mut output = <F::Output as PartialSchema>::schema();
        if <F::Output as ToSchema>::name() == <() as ToSchema>::name() {
            // `()` is sent as JSON `null`.
            output = ObjectBuilder::new().schema_type(Type::Null).into();
        } else if matches!(&output, RefOr::T(Schema::Object(o)) if !o.properties.is_empty()) {
            let name = <F::Output as ToSchema>::name().into_owned();
            referenced.push((name.clone(), output));
            output = RefOr::Ref(utoipa::openapi::Ref::from_schema_name(name));
        }
        Described {
            name: F::PATH.trim_start_matches("/api/").to_owned(),
            path: F::PATH.to_owned(),
            method: <F::Protocol as RequestEncoding>::method(),
            content_type: <F::Protocol as RequestEncoding>::CONTENT_TYPE,
            arguments: F::schema(),
            output,
            returns: type_in_words(std::any::type_name::<F::Output>()),
            referenced,
        }
    }

    /// Every server function; a test fails when one is registered but missing here.
    macro_rules! operations {
        ($($function:ty),+ $(,)?) => {
            fn described() -> Vec<Described> {
                vec![$(describe::<$function>()),+]
            }
        };
    }

    operations!(
        api::SignIn,
        api::SignOut,
        api::Me,
        api::Credentials,
        api::ListBackups,
        api::CreateShare,
        api::UpdateShare,
        api::PreviewShare,
        api::ShareOptions,
        api::ShareChoices,
        api::ShareSummary,
        api::DeleteBackup,
        api::Activity,
        api::ShareList,
        api::MyShares,
        api::SharedWithMe,
        api::AcceptInvitation,
        api::CopyIntoVault,
        api::RetryCopy,
        api::Vaults,
        api::VaultContents,
        api::RejectInvitation,
        api::AccessKeys,
        api::CreateAccessKey,
        api::DeactivateAccessKey,
        api::DeleteAccessKey,
        api::CancelSharing,
        api::RestoreBackup,
        api::Restores,
        api::Resources,
        api::ReleaseResource,
        api::ApiReference,
    );

    /// The failures every operation may answer with, each as `{code, message}`.
    const FAILURES: &[(&str, &str)] = &[
        (
            "400",
            "An argument is missing, malformed or out of range (`invalid`).",
        ),
        (
            "401",
            "No session and no valid signature (`not_signed_in`), or a wrong password.",
        ),
        (
            "403",
            "The caller's role may not do this, or the request came from another site.",
        ),
        (
            "404",
            "No such object, or one of another account (the two answer alike).",
        ),
        (
            "409",
            "A rule of sharing refuses it in the object's present state (`conflict`).",
        ),
        (
            "413",
            "The body is over the server's limit (64 KiB by default).",
        ),
        (
            "429",
            "Throttled or over a per-account cap; `Retry-After` says when to try again.",
        ),
        (
            "500",
            "A fault on the server; it is logged there, and the message says no more.",
        ),
    ];

    /// The OpenAPI 3.1 document of every server function.
    pub fn document() -> OpenApi {
        let error = RefOr::Ref(utoipa::openapi::Ref::from_schema_name(AppError::name()));
        let mut components = ComponentsBuilder::new()
            .schema(AppError::name(), AppError::schema())
            .security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                    "backshare_session",
                    "The browser's session, set by `sign_in` (`__Host-backshare_session` \
                     behind an https public URL). Requests with it must come from this \
                     server's own pages (their `Origin` is checked).",
                ))),
            )
            .security_scheme(
                "accessKey",
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    "Authorization",
                    "AWS Signature Version 4 with an access key from My Credentials: \
                     service `backshare`, any region of the account's projects, `host` and \
                     `x-amz-date` signed, the body's SHA-256 as the payload hash.",
                ))),
            );
        let mut schemas = BTreeMap::new();
        let mut paths = PathsBuilder::new();
        for op in described() {
            let mut responses = vec![(
                "200".to_owned(),
                ResponseBuilder::new()
                    .description("Done; the body is the result (JSON).")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(op.output.clone()))
                            .build(),
                    )
                    .build(),
            )];
            for (status, why) in FAILURES {
                responses.push((
                    (*status).to_owned(),
                    ResponseBuilder::new()
                        .description(*why)
                        .content(
                            "application/json",
                            ContentBuilder::new().schema(Some(error.clone())).build(),
                        )
                        .build(),
                ));
            }
            let description = description_of(&op.arguments);
            let mut operation = OperationBuilder::new()
                .operation_id(Some(op.name.clone()))
                .summary(Some(first_sentence(&description)))
                .description(Some(description))
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .content(
                            op.content_type,
                            ContentBuilder::new()
                                .schema(Some(without_description(op.arguments.clone())))
                                .build(),
                        )
                        .required(Some(Required::True))
                        .build(),
                ));
            for (status, response) in responses {
                operation = operation.response(status, response);
            }
            if !PUBLIC.contains(&op.name.as_str()) {
                operation = operation
                    .security(SecurityRequirement::new("session", Vec::<String>::new()))
                    .security(SecurityRequirement::new("accessKey", Vec::<String>::new()));
            }
            paths = paths.path(
                op.path.clone(),
                PathItem::new(http_method(op.method), operation.build()),
            );
            schemas.extend(op.referenced);
        }
        for (name, schema) in schemas {
            components = components.schema(name, schema);
        }
        OpenApiBuilder::new()
            .info(
                InfoBuilder::new()
                    .title("Backshare API")
                    .version(env!("CARGO_PKG_VERSION"))
                    .description(Some(
                        "Every server function of the console, as the pages call it. Sharing \
                         itself is also offered as an AWS RAM-compatible API at `/ram`.",
                    ))
                    .build(),
            )
            .paths(paths.build())
            .components(Some(components.build()))
            .build()
    }

    /// The document, summarised for the reference page.
    pub fn reference() -> Vec<ApiOperation> {
        described()
            .into_iter()
            .map(|op| ApiOperation {
                description: description_of(&op.arguments),
                method: op.method.to_owned(),
                content_type: op.content_type.to_owned(),
                arguments: fields_of(&op.arguments),
                returns: op.returns,
                signed_in: !PUBLIC.contains(&op.name.as_str()),
                path: op.path,
                name: op.name,
            })
            .collect()
    }

    /// A schema's doc comment, without the line the server macro adds to every arguments
    /// struct ("Serialized arguments for the … server function.").
    fn description_of(schema: &RefOr<Schema>) -> String {
        let text = match schema {
            RefOr::T(Schema::Object(object)) => object.description.clone().unwrap_or_default(),
            _ => String::new(),
        };
        // Lines wrapped in the source join into one; an empty line parts paragraphs.
        text.lines()
            .filter(|line| {
                !line
                    .trim_start()
                    .starts_with("Serialized arguments for the")
            })
            .map(str::trim)
            .collect::<Vec<_>>()
            .join("\n")
            .split("\n\n")
            .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|paragraph| !paragraph.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    /// The argument schema without the function's doc comment (it is the operation's).
    fn without_description(schema: RefOr<Schema>) -> RefOr<Schema> {
        match schema {
            RefOr::T(Schema::Object(mut object)) => {
                object.description = None;
                RefOr::T(Schema::Object(object))
            }
            other => other,
        }
    }

    fn first_sentence(text: &str) -> String {
        let line = text.lines().next().unwrap_or_default();
        match line.find(". ") {
            Some(end) => line[..=end].to_owned(),
            None => line.to_owned(),
        }
    }

    fn fields_of(schema: &RefOr<Schema>) -> Vec<ApiField> {
        let RefOr::T(Schema::Object(object)) = schema else {
            return Vec::new();
        };
        object
            .properties
            .iter()
            .map(|(name, field)| ApiField {
                name: name.clone(),
                kind: kind_of(field),
                required: object.required.contains(name),
                description: description_of(field),
            })
            .collect()
    }

    /// A schema's type in words.
    fn kind_of(schema: &RefOr<Schema>) -> String {
        match schema {
            RefOr::Ref(reference) => reference
                .ref_location
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned(),
            RefOr::T(Schema::Array(array)) => match &array.items {
                ArrayItems::RefOrSchema(items) => format!("list of {}", kind_of(items)),
                ArrayItems::False => "list".to_owned(),
            },
            RefOr::T(Schema::OneOf(one_of)) => {
                let kinds: Vec<String> = one_of.items.iter().map(kind_of).collect();
                match kinds.as_slice() {
                    [null, other] | [other, null] if null == "null" => format!("{other} or null"),
                    _ => kinds.join(" or "),
                }
            }
            RefOr::T(Schema::AllOf(all_of)) => {
                all_of.items.first().map(kind_of).unwrap_or_default()
            }
            RefOr::T(Schema::Object(object)) => {
                if let Some(values) = &object.enum_values {
                    let words: Vec<String> = values
                        .iter()
                        .map(|v| {
                            v.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| v.to_string())
                        })
                        .collect();
                    return format!("one of: {}", words.join(", "));
                }
                match &object.schema_type {
                    SchemaType::Type(Type::Null) => "null".to_owned(),
                    SchemaType::Type(Type::Object) if object.properties.is_empty() => {
                        "nothing".to_owned()
                    }
                    SchemaType::Type(kind) => word_of(kind).to_owned(),
                    SchemaType::Array(kinds) => {
                        let words: Vec<&str> = kinds.iter().map(word_of).collect();
                        words.join(" or ")
                    }
                    SchemaType::AnyValue => "nothing".to_owned(),
                }
            }
            RefOr::T(_) => "value".to_owned(),
        }
    }

    /// A Rust type's name as a reader of the page says it: `Vec<a::ProjectView>` is "list of
    /// ProjectView", `Option<a::Me>` "Me or null", `()` "nothing".
    fn type_in_words(name: &str) -> String {
        let name = name.trim();
        if name == "()" {
            return "nothing".to_owned();
        }
        let (outer, inner) = match name.split_once('<') {
            Some((outer, rest)) => (outer, Some(rest.strip_suffix('>').unwrap_or(rest))),
            None => (name, None),
        };
        let outer = outer.rsplit("::").next().unwrap_or(outer);
        match (outer, inner) {
            ("Vec", Some(inner)) => format!("list of {}", type_in_words(inner)),
            ("Option", Some(inner)) => format!("{} or null", type_in_words(inner)),
            ("String" | "str", None) => "string".to_owned(),
            ("bool", None) => "boolean".to_owned(),
            (outer, _) => outer.to_owned(),
        }
    }

    fn word_of(kind: &Type) -> &'static str {
        match kind {
            Type::Object => "object",
            Type::String => "string",
            Type::Integer => "integer",
            Type::Number => "number",
            Type::Boolean => "boolean",
            Type::Array => "list",
            Type::Null => "null",
        }
    }
}
